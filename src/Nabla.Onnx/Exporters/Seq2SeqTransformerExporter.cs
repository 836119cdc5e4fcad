using Nabla.Nn;
using Nabla.Nn.Generation;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="Seq2SeqTransformer"/>'s forward pass on two graph inputs, source and target ids: each
/// embedded (times √E when the model scales embeddings) plus the sinusoids, the encoder over the source,
/// the decoder over the target and the memory, the generator → logits [N, L_t, vocabulary]. With a
/// padding token, padding keys are hidden by additive masks built in the graph, −∞ where the ids equal
/// it: the source's in the encoder and in the attention over the memory, the target's (added to the
/// constant causal mask) in the decoder's self-attention — as the model's own forward pass does.
/// </summary>
internal static class Seq2SeqTransformerExporter
{
    /// <summary>Adds the nodes; returns the logits' value name.</summary>
    public static string Export(Seq2SeqTransformer model, OnnxValue source, OnnxValue target, OnnxExportContext context)
    {
        string? sourcePadding = KeyPadding(model, source.Name, context);
        string? targetPadding = KeyPadding(model, target.Name, context);
        int length = target.Shape[1];
        string selfMask = MultiheadAttentionExporter.CausalMask(length, length, context);
        if (targetPadding is not null) selfMask = context.Node("Add", [selfMask, targetPadding]);

        var memory = Embed(model, model.SourceEmbedding, "src_tok_emb", source, context);
        var x = Embed(model, model.TargetEmbedding, "tgt_tok_emb", target, context);
        using (context.Within("transformer"))
        {
            using (context.Within("encoder"))
                memory = memory with { Name = TransformerEncoderExporter.Encode(model.Transformer.Encoder, memory, sourcePadding, context) };
            using (context.Within("decoder"))
                x = x with { Name = TransformerDecoderGraph.Decode(model.Transformer.Decoder, x, memory, selfMask, sourcePadding, context) };
        }
        return context.Export(model.Generator, x, "generator").Name;
    }

    // embedding(ids)·scale + PE (dropout is the identity in inference).
    private static OnnxValue Embed(Seq2SeqTransformer model, Module embedding, string name, OnnxValue ids, OnnxExportContext context)
    {
        var x = context.Export(embedding, ids, name);
        if (model.EmbeddingScale != 1f) x = x with { Name = context.Node("Mul", [x.Name, context.Constant(model.EmbeddingScale)]) };
        return context.Export(model.PositionalEncoding, x, "positional_encoding");
    }

    // [N, 1, 1, L]: −∞ where ids = padding token, else 0; null without a padding token.
    private static string? KeyPadding(Seq2SeqTransformer model, string ids, OnnxExportContext context) =>
        model.PaddingToken is { } pad ? MultiheadAttentionExporter.KeyPaddingMask(context.Node("Equal", [ids, context.Constant(pad)]), context) : null;
}
