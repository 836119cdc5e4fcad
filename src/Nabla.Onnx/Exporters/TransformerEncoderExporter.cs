using System.Globalization;
using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="TransformerEncoder"/>: its layers in turn (<c>layers.0.</c>, <c>layers.1.</c>, …), then the
/// final <c>norm</c> if it has one. In a <see cref="Sequential"/> the input's padding mask (from an embedding
/// with a padding index) hides the padding keys, as <see cref="TransformerEncoder.Forward(Nabla.Tensors.Tensor)"/> does.
/// </summary>
internal sealed class TransformerEncoderExporter : OnnxLayerExporter<TransformerEncoder>
{
    public override string Export(TransformerEncoder layer, OnnxValue input, OnnxExportContext context) =>
        Encode(layer, input, MultiheadAttentionExporter.KeyPaddingMask(input, context), context);

    /// <summary>The stack on <paramref name="x"/> with an optional additive attention mask shared by every layer; under the current prefix (the encoder's).</summary>
    internal static string Encode(TransformerEncoder encoder, OnnxValue x, string? mask, OnnxExportContext context)
    {
        for (int i = 0; i < encoder.Layers.Count; i++)
            using (context.Within("layers." + i.ToString(CultureInfo.InvariantCulture)))
                x = x with { Name = TransformerEncoderLayerExporter.Encode((TransformerEncoderLayer)encoder.Layers[i], x, mask, context) };
        return encoder.Norm is { } norm ? context.Export(norm, x, "norm").Name : x.Name;
    }
}
