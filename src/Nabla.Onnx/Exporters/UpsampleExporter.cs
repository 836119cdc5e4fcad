using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="Upsample"/> as <c>Resize</c>, with the coordinate rule PyTorch's interpolation uses:
/// nearest is <c>asymmetric</c> + <c>floor</c> (source = ⌊dst / scale⌋); bilinear is <c>linear</c> with
/// <c>align_corners</c>, or <c>pytorch_half_pixel</c> (source = (dst + ½)/scale − ½). A scale factor is
/// written as <c>scales</c> (so ONNX divides by the same scale PyTorch does), a size as <c>sizes</c>
/// (scale = out/in on both sides) after the input's run-time batch and channel counts.
/// </summary>
internal sealed class UpsampleExporter : OnnxLayerExporter<Upsample>
{
    public override string Export(Upsample layer, OnnxValue input, OnnxExportContext context)
    {
        string[] inputs;
        if (layer.Size is { } size)
        {
            // sizes = [N, C] of the input at run time (the batch is not fixed) followed by the target (H, W).
            string batchAndChannels = context.Node("Shape", [input.Name], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 2));
            string sizes = context.Node("Concat", [batchAndChannels, context.Int64Initializer("size", size.H, size.W)], OnnxAttribute.Int("axis", 0));
            inputs = [input.Name, "", "", sizes];
        }
        else inputs = [input.Name, "", context.Initializer("scales", [1f, 1f, (float)layer.ScaleFactor!.Value.H, (float)layer.ScaleFactor.Value.W], 4)];
        return layer.Mode == "nearest"
            ? context.Node("Resize", inputs, OnnxAttribute.String("mode", "nearest"),
                OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"), OnnxAttribute.String("nearest_mode", "floor"))
            : context.Node("Resize", inputs, OnnxAttribute.String("mode", "linear"),
                OnnxAttribute.String("coordinate_transformation_mode", layer.AlignCorners ? "align_corners" : "pytorch_half_pixel"));
    }
}
