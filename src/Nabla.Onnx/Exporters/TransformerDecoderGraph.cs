using System.Globalization;
using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// The nodes of <see cref="TransformerDecoderLayer"/> and <see cref="TransformerDecoder"/>, which take
/// two inputs (the target sequence and the encoder's memory) and so have no single-input layer exporter;
/// <see cref="Seq2SeqTransformerExporter"/> calls these. Per layer: masked self-attention, attention over
/// the memory and the feed-forward network, each with its residual sum and layer norm, post-norm or
/// pre-norm as the layer is built; dropout is the identity in inference.
/// </summary>
internal static class TransformerDecoderGraph
{
    /// <summary>The stack on <paramref name="x"/> over <paramref name="memory"/>, then its final norm; under the current prefix (the decoder's).</summary>
    public static string Decode(TransformerDecoder decoder, OnnxValue x, OnnxValue memory, string? selfMask, string? memoryMask, OnnxExportContext context)
    {
        for (int i = 0; i < decoder.Layers.Count; i++)
            using (context.Within("layers." + i.ToString(CultureInfo.InvariantCulture)))
                x = x with { Name = DecodeLayer((TransformerDecoderLayer)decoder.Layers[i], x, memory, selfMask, memoryMask, context) };
        return decoder.Norm is { } norm ? context.Export(norm, x, "norm").Name : x.Name;
    }

    /// <summary>One decoder layer; under the current prefix (the layer's).</summary>
    public static string DecodeLayer(TransformerDecoderLayer layer, OnnxValue x, OnnxValue memory, string? selfMask, string? memoryMask, OnnxExportContext context)
    {
        if (layer.NormFirst)
        {
            var h = Sum(x, Attend(layer.SelfAttn, "self_attn", context.Export(layer.Norm1, x, "norm1"), null, selfMask, context), context);
            h = Sum(h, Attend(layer.MultiheadAttn, "multihead_attn", context.Export(layer.Norm2, h, "norm2"), memory, memoryMask, context), context);
            return Sum(h, TransformerEncoderLayerExporter.FeedForward(layer.Linear1, layer.Linear2, layer.Gelu, context.Export(layer.Norm3, h, "norm3"), context), context).Name;
        }
        var y = context.Export(layer.Norm1, Sum(x, Attend(layer.SelfAttn, "self_attn", x, null, selfMask, context), context), "norm1");
        y = context.Export(layer.Norm2, Sum(y, Attend(layer.MultiheadAttn, "multihead_attn", y, memory, memoryMask, context), context), "norm2");
        return context.Export(layer.Norm3, Sum(y, TransformerEncoderLayerExporter.FeedForward(layer.Linear1, layer.Linear2, layer.Gelu, y, context), context), "norm3").Name;
    }

    // Attention from x over memory (or over x itself when memory is null), under the attention module's prefix.
    private static string Attend(MultiheadAttention attention, string name, OnnxValue x, OnnxValue? memory, string? mask, OnnxExportContext context)
    {
        using (context.Within(name))
            return MultiheadAttentionExporter.Attend(attention, x, memory ?? x, mask, context);
    }

    private static OnnxValue Sum(OnnxValue x, string block, OnnxExportContext context) => x with { Name = context.Node("Add", [x.Name, block]) };
}
