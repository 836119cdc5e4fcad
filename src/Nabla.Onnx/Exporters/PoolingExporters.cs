using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary><see cref="MaxPool2d"/> as <c>MaxPool</c> (padding never wins, floor rounding: as Nabla and PyTorch).</summary>
internal sealed class MaxPool2dExporter : OnnxLayerExporter<MaxPool2d>
{
    public override string Export(MaxPool2d layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("MaxPool", [input.Name],
            OnnxAttribute.Ints("kernel_shape", layer.KernelSize.H, layer.KernelSize.W),
            OnnxAttribute.Ints("strides", layer.Stride.H, layer.Stride.W),
            OnnxAttribute.Ints("pads", layer.Padding.H, layer.Padding.W, layer.Padding.H, layer.Padding.W));
}

/// <summary><see cref="MaxPool1d"/> as a one-dimensional <c>MaxPool</c>.</summary>
internal sealed class MaxPool1dExporter : OnnxLayerExporter<MaxPool1d>
{
    public override string Export(MaxPool1d layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("MaxPool", [input.Name],
            OnnxAttribute.Ints("kernel_shape", layer.KernelSize),
            OnnxAttribute.Ints("strides", layer.Stride),
            OnnxAttribute.Ints("pads", layer.Padding, layer.Padding));
}

/// <summary><see cref="AvgPool2d"/> as <c>AveragePool</c>, with <c>count_include_pad</c> as the layer has it.</summary>
internal sealed class AvgPool2dExporter : OnnxLayerExporter<AvgPool2d>
{
    public override string Export(AvgPool2d layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("AveragePool", [input.Name],
            OnnxAttribute.Ints("kernel_shape", layer.KernelSize, layer.KernelSize),
            OnnxAttribute.Ints("strides", layer.Stride, layer.Stride),
            OnnxAttribute.Ints("pads", layer.Padding, layer.Padding, layer.Padding, layer.Padding),
            OnnxAttribute.Int("count_include_pad", layer.CountIncludePad ? 1 : 0));
}

/// <summary>
/// <see cref="AdaptiveAvgPool2d"/>: <c>GlobalAveragePool</c> for a 1×1 output, <c>AveragePool</c>
/// when the bins tile the input evenly, otherwise (bins of unequal sizes, which no ONNX pooling
/// operator expresses) a <c>MatMul</c> of the flattened image with the averaging matrix whose column
/// for cell (i, j) holds 1/|bin| on the rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 × the matching columns.
/// </summary>
internal sealed class AdaptiveAvgPool2dExporter : OnnxLayerExporter<AdaptiveAvgPool2d>
{
    public override string Export(AdaptiveAvgPool2d layer, OnnxValue input, OnnxExportContext context)
    {
        int h = input.Shape[2], w = input.Shape[3], oh = layer.OutputSize.H, ow = layer.OutputSize.W;
        if (oh == 1 && ow == 1) return context.Node("GlobalAveragePool", [input.Name]);
        if (h % oh == 0 && w % ow == 0)
            return context.Node("AveragePool", [input.Name],
                OnnxAttribute.Ints("kernel_shape", h / oh, w / ow), OnnxAttribute.Ints("strides", h / oh, w / ow));
        var matrix = new float[h * w * oh * ow];
        for (int i = 0; i < oh; i++)
        {
            int r0 = i * h / oh, r1 = ((i + 1) * h + oh - 1) / oh;
            for (int j = 0; j < ow; j++)
            {
                int c0 = j * w / ow, c1 = ((j + 1) * w + ow - 1) / ow;
                float share = 1f / ((r1 - r0) * (c1 - c0));
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++) matrix[(r * w + c) * (oh * ow) + i * ow + j] = share;
            }
        }
        string flat = context.Node("Reshape", [input.Name, context.Int64Initializer("flat_shape", 0, 0, h * w)]);
        string pooled = context.Node("MatMul", [flat, context.Initializer("pool_matrix", matrix, h * w, oh * ow)]);
        return context.Node("Reshape", [pooled, context.Int64Initializer("pooled_shape", 0, 0, oh, ow)]);
    }
}

/// <summary><see cref="GlobalAveragePooling2D"/>: <c>GlobalAveragePool</c> then <c>Flatten</c> to [N, C].</summary>
internal sealed class GlobalAveragePooling2DExporter : OnnxLayerExporter<GlobalAveragePooling2D>
{
    public override string Export(GlobalAveragePooling2D layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("Flatten", [context.Node("GlobalAveragePool", [input.Name])], OnnxAttribute.Int("axis", 1));
}
