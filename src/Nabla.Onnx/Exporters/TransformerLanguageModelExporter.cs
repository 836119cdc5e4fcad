using Nabla.Nn;
using Nabla.Nn.Generation;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="TransformerLanguageModel"/>'s forward pass: token ids [B, L] → next-token logits
/// [B, L, vocabulary] (embedding, positional encoding, the causal encoder stack with its constant
/// additive mask, the head). Decoding loops (greedy, beam, sampling) stay outside the graph: a runtime
/// calls it once per step on the prefix.
/// </summary>
internal sealed class TransformerLanguageModelExporter : OnnxLayerExporter<TransformerLanguageModel>
{
    public override string Export(TransformerLanguageModel layer, OnnxValue input, OnnxExportContext context)
    {
        int length = input.Shape[1];
        var x = context.Export(layer.TokenEmbedding, input, "tok_emb");
        x = context.Export(layer.PositionalEncoding, x, "positional_encoding");
        string mask = MultiheadAttentionExporter.CausalMask(length, length, context);
        string y;
        using (context.Within("encoder"))
            y = TransformerEncoderExporter.Encode(layer.Encoder, x, mask, context);
        return context.Export(layer.Head, x with { Name = y }, "head").Name;
    }
}
