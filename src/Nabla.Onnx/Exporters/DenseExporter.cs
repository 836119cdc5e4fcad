using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="Dense"/> (and <see cref="Linear"/>): y = x·Wᵀ + b as <c>Gemm(transB=1)</c> on [N, in];
/// on [N, …, in] as <c>MatMul</c> with the transposed weight, then <c>Add</c>. A Keras-style
/// activation child follows as its own nodes.
/// </summary>
internal sealed class DenseExporter : OnnxLayerExporter<Dense>
{
    public override string Export(Dense layer, OnnxValue input, OnnxExportContext context)
    {
        string w = context.Initializer("weight", layer.Weight);
        string? b = layer.Bias is { } bias ? context.Initializer("bias", bias) : null;
        string y;
        if (input.Shape.Rank == 2)
        {
            y = context.Node("Gemm", b is null ? [input.Name, w] : [input.Name, w, b], OnnxAttribute.Int("transB", 1));
        }
        else
        {
            string wt = context.Node("Transpose", [w], OnnxAttribute.Ints("perm", 1, 0));
            y = context.Node("MatMul", [input.Name, wt]);
            if (b is not null) y = context.Node("Add", [y, b]);
        }
        if (layer.Activation is not { } activation) return y;
        return context.Export(activation, new OnnxValue(y, input.Shape.With(-1, layer.OutFeatures)), "activation").Name;
    }
}

/// <summary><see cref="Perceptron"/>: H(x·wᵀ + b) as <c>Gemm</c>, <c>Greater</c> than 0 and <c>Cast</c> to float.</summary>
internal sealed class PerceptronExporter : OnnxLayerExporter<Perceptron>
{
    public override string Export(Perceptron layer, OnnxValue input, OnnxExportContext context)
    {
        string z = context.Node("Gemm", [input.Name, context.Initializer("weight", layer.Weight), context.Initializer("bias", layer.Bias)], OnnxAttribute.Int("transB", 1));
        return StepExporter.Heaviside(z, 0f, context);
    }
}
