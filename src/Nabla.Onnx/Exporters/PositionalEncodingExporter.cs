using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="LearnedPositionalEncoding"/> and <see cref="SinusoidalPositionalEncoding"/>: x [B, L, E] +
/// table[0 … L − 1]. A learned table is written whole under its state-dict name (<c>weight</c>) and cut
/// to L rows by <c>Slice</c>; the fixed sinusoids are not state, so only the L rows used are written
/// (<c>table</c>), taken from the layer itself (its output for zeros) so they are Nabla's values bit for bit.
/// </summary>
internal sealed class PositionalEncodingExporter : OnnxLayerExporter<PositionalEncoding>
{
    public override string Export(PositionalEncoding layer, OnnxValue input, OnnxExportContext context)
    {
        int length = input.Shape[1];
        return context.Node("Add", [input.Name, Rows(layer, length, context)]);
    }

    /// <summary>The value holding the first <paramref name="length"/> rows of the layer's table, [L, E].</summary>
    internal static string Rows(PositionalEncoding layer, int length, OnnxExportContext context)
    {
        if (layer is LearnedPositionalEncoding learned)
        {
            string table = context.Initializer("weight", learned.Weight);
            return context.Node("Slice", [table, context.Int64Initializer("starts", 0), context.Int64Initializer("ends", length), context.Int64Initializer("axes", 0)]);
        }
        float[] rows;
        using (GradMode.NoGrad())
        using (TensorScope.Suspend())
            rows = layer.Forward(Tensor.Zeros(new Shape(1, length, layer.EmbedDim))).ToArray();
        return context.Initializer("table", rows, length, layer.EmbedDim);
    }
}
