using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> in inference: <c>BatchNormalization</c>
/// with the running statistics, y = (x − μ)/√(σ² + ε)·γ + β (γ = 1, β = 0 without affine parameters).
/// </summary>
internal sealed class BatchNormExporter : OnnxLayerExporter<BatchNorm>
{
    public override string Export(BatchNorm layer, OnnxValue input, OnnxExportContext context)
    {
        int c = layer.NumFeatures;
        string scale = layer.Weight is { } g ? context.Initializer("weight", g) : context.Initializer("weight", Enumerable.Repeat(1f, c).ToArray(), c);
        string shift = layer.Bias is { } b ? context.Initializer("bias", b) : context.Initializer("bias", new float[c], c);
        return context.Node("BatchNormalization",
            [input.Name, scale, shift, context.Initializer("running_mean", layer.RunningMean), context.Initializer("running_var", layer.RunningVar)],
            OnnxAttribute.Float("epsilon", layer.Eps));
    }
}
