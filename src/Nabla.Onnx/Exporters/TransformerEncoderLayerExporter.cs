using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="TransformerEncoderLayer"/>: self-attention and the feed-forward network
/// linear2(act(linear1(x))), each with its residual sum and <c>LayerNormalization</c>, post-norm
/// (norm(x + block(x))) or pre-norm (x + block(norm(x))) as the layer is built; dropout is the identity
/// in inference. In a <see cref="Sequential"/> the input's padding mask hides the padding keys, as
/// <see cref="TransformerEncoderLayer.Forward(Nabla.Tensors.Tensor)"/> does.
/// </summary>
internal sealed class TransformerEncoderLayerExporter : OnnxLayerExporter<TransformerEncoderLayer>
{
    public override string Export(TransformerEncoderLayer layer, OnnxValue input, OnnxExportContext context) =>
        Encode(layer, input, MultiheadAttentionExporter.KeyPaddingMask(input, context), context);

    /// <summary>The layer on <paramref name="x"/> with an optional additive attention mask; exported under the current prefix (the layer's).</summary>
    internal static string Encode(TransformerEncoderLayer layer, OnnxValue x, string? mask, OnnxExportContext context)
    {
        if (layer.NormFirst)
        {
            var normed = context.Export(layer.Norm1, x, "norm1");
            var h = x with { Name = context.Node("Add", [x.Name, SelfAttention(layer, normed, mask, context)]) };
            return context.Node("Add", [h.Name, FeedForward(layer.Linear1, layer.Linear2, layer.Gelu, context.Export(layer.Norm2, h, "norm2"), context)]);
        }
        var y = context.Export(layer.Norm1, x with { Name = context.Node("Add", [x.Name, SelfAttention(layer, x, mask, context)]) }, "norm1");
        return context.Export(layer.Norm2, y with { Name = context.Node("Add", [y.Name, FeedForward(layer.Linear1, layer.Linear2, layer.Gelu, y, context)]) }, "norm2").Name;
    }

    private static string SelfAttention(TransformerEncoderLayer layer, OnnxValue x, string? mask, OnnxExportContext context)
    {
        using (context.Within("self_attn"))
            return MultiheadAttentionExporter.Attend(layer.SelfAttn, x, x, mask, context);
    }

    /// <summary>linear2(act(linear1(x))) with act = ReLU or exact GELU (shared with the decoder layer).</summary>
    internal static string FeedForward(Linear linear1, Linear linear2, bool gelu, OnnxValue x, OnnxExportContext context)
    {
        var h = context.Export(linear1, x, "linear1");
        string act = gelu ? GELUExporter.Gelu(h.Name, context) : context.Node("Relu", [h.Name]);
        return context.Export(linear2, h with { Name = act }, "linear2").Name;
    }
}
