using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="ConvTranspose2d"/> as <c>ConvTranspose</c>: the weight keeps PyTorch's layout
/// [in, out/groups, kH, kW], which is ONNX's, and the output size
/// stride·(H − 1) + output_padding + dilation·(k − 1) + 1 − 2·padding is ONNX's default when no
/// <c>output_shape</c> is given.
/// </summary>
internal sealed class ConvTranspose2dExporter : OnnxLayerExporter<ConvTranspose2d>
{
    public override string Export(ConvTranspose2d layer, OnnxValue input, OnnxExportContext context)
    {
        string w = context.Initializer("weight", layer.Weight);
        string[] inputs = layer.Bias is null ? [input.Name, w] : [input.Name, w, context.Initializer("bias", layer.Bias)];
        return context.Node("ConvTranspose", inputs,
            OnnxAttribute.Ints("kernel_shape", layer.KernelSize.H, layer.KernelSize.W),
            OnnxAttribute.Ints("strides", layer.Stride.H, layer.Stride.W),
            OnnxAttribute.Ints("pads", layer.Padding.H, layer.Padding.W, layer.Padding.H, layer.Padding.W),
            OnnxAttribute.Ints("output_padding", layer.OutputPadding.H, layer.OutputPadding.W),
            OnnxAttribute.Ints("dilations", layer.Dilation.H, layer.Dilation.W),
            OnnxAttribute.Int("group", layer.Groups));
    }
}
