using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary><see cref="Conv2d"/> as <c>Conv</c> (NCHW, weight [out, in, kH, kW], symmetric zero padding).</summary>
internal sealed class Conv2dExporter : OnnxLayerExporter<Conv2d>
{
    public override string Export(Conv2d layer, OnnxValue input, OnnxExportContext context) =>
        Conv(context, input, layer.Weight, layer.Bias,
            OnnxAttribute.Ints("kernel_shape", layer.KernelSize.H, layer.KernelSize.W),
            OnnxAttribute.Ints("strides", layer.Stride.H, layer.Stride.W),
            OnnxAttribute.Ints("pads", layer.Padding.H, layer.Padding.W, layer.Padding.H, layer.Padding.W),
            OnnxAttribute.Ints("dilations", layer.Dilation.H, layer.Dilation.W));

    /// <summary>A <c>Conv</c> node over the layer's weight and optional bias.</summary>
    internal static string Conv(OnnxExportContext context, OnnxValue input, Nabla.Tensors.Tensor weight, Nabla.Tensors.Tensor? bias, params OnnxAttribute[] attributes)
    {
        string w = context.Initializer("weight", weight);
        string[] inputs = bias is null ? [input.Name, w] : [input.Name, w, context.Initializer("bias", bias)];
        return context.Node("Conv", inputs, [.. attributes, OnnxAttribute.Int("group", 1)]);
    }
}

/// <summary><see cref="Conv1d"/> as a one-dimensional <c>Conv</c> (NCL, weight [out, in, k]).</summary>
internal sealed class Conv1dExporter : OnnxLayerExporter<Conv1d>
{
    public override string Export(Conv1d layer, OnnxValue input, OnnxExportContext context) =>
        Conv2dExporter.Conv(context, input, layer.Weight, layer.Bias,
            OnnxAttribute.Ints("kernel_shape", layer.KernelSize),
            OnnxAttribute.Ints("strides", layer.Stride),
            OnnxAttribute.Ints("pads", layer.Padding, layer.Padding),
            OnnxAttribute.Ints("dilations", layer.Dilation));
}
