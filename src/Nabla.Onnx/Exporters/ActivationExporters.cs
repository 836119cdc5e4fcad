using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>An activation that is one ONNX operator without attributes: ReLU → <c>Relu</c>, Sigmoid, Tanh.</summary>
/// <typeparam name="T">The activation module.</typeparam>
/// <param name="opType">The ONNX operator.</param>
internal sealed class ElementwiseExporter<T>(string opType) : OnnxLayerExporter<T> where T : Module
{
    public override string Export(T layer, OnnxValue input, OnnxExportContext context) => context.Node(opType, [input.Name]);
}

/// <summary><see cref="LeakyReLU"/> as <c>LeakyRelu(alpha)</c>.</summary>
internal sealed class LeakyReLUExporter : OnnxLayerExporter<LeakyReLU>
{
    public override string Export(LeakyReLU layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("LeakyRelu", [input.Name], OnnxAttribute.Float("alpha", layer.NegativeSlope));
}

/// <summary><see cref="ELU"/> as <c>Elu(alpha)</c>.</summary>
internal sealed class ELUExporter : OnnxLayerExporter<ELU>
{
    public override string Export(ELU layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("Elu", [input.Name], OnnxAttribute.Float("alpha", layer.Alpha));
}

/// <summary>
/// <see cref="GELU"/> (exact): ½x(1 + erf(x/√2)) from <c>Div</c>, <c>Erf</c>, <c>Add</c>, <c>Mul</c>
/// (the <c>Gelu</c> operator arrived in opset 20).
/// </summary>
internal sealed class GELUExporter : OnnxLayerExporter<GELU>
{
    public override string Export(GELU layer, OnnxValue input, OnnxExportContext context) => Gelu(input.Name, context);

    /// <summary>½x(1 + erf(x/√2)) of value <paramref name="x"/> (also the transformer layers' feed-forward activation).</summary>
    internal static string Gelu(string x, OnnxExportContext context)
    {
        string erf = context.Node("Erf", [context.Node("Div", [x, context.Constant(MathF.Sqrt(2f))])]);
        string onePlus = context.Node("Add", [erf, context.Constant(1f)]);
        return context.Node("Mul", [context.Node("Mul", [x, onePlus]), context.Constant(0.5f)]);
    }
}

/// <summary>
/// <see cref="PReLU"/> as <c>PRelu</c>. ONNX broadcasts the slope from the right, so per-channel
/// slopes [C] are stored as [C, 1, …, 1] to line up with axis 1 of [N, C, …].
/// </summary>
internal sealed class PReLUExporter : OnnxLayerExporter<PReLU>
{
    public override string Export(PReLU layer, OnnxValue input, OnnxExportContext context)
    {
        int c = layer.Weight.Numel;
        var dims = new long[c == 1 ? 1 : input.Shape.Rank - 1];
        Array.Fill(dims, 1L);
        dims[0] = c;
        return context.Node("PRelu", [input.Name, context.Initializer("weight", layer.Weight.ToArray(), dims)]);
    }
}

/// <summary><see cref="Step"/>: H(x) = 1 if x &gt; 0 else 0 as <c>Greater</c> and <c>Cast</c> to float.</summary>
internal sealed class StepExporter : OnnxLayerExporter<Step>
{
    public override string Export(Step layer, OnnxValue input, OnnxExportContext context) => Heaviside(input.Name, 0f, context);

    /// <summary>1 where <paramref name="x"/> &gt; θ, else 0.</summary>
    internal static string Heaviside(string x, float theta, OnnxExportContext context) =>
        context.Node("Cast", [context.Node("Greater", [x, context.Constant(theta)])], OnnxAttribute.Int("to", 1));
}

/// <summary><see cref="Threshold"/>: y = x if x &gt; θ else value, as <c>Where(Greater(x, θ), x, value)</c>.</summary>
internal sealed class ThresholdExporter : OnnxLayerExporter<Threshold>
{
    public override string Export(Threshold layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("Where", [context.Node("Greater", [input.Name, context.Constant(layer.Theta)]), input.Name, context.Constant(layer.Value)]);
}

/// <summary><see cref="Softmax"/> as <c>Softmax(axis)</c> (opset 13 and later normalize over that one axis, like Nabla).</summary>
internal sealed class SoftmaxExporter : OnnxLayerExporter<Softmax>
{
    public override string Export(Softmax layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("Softmax", [input.Name], OnnxAttribute.Int("axis", layer.Axis));
}

/// <summary><see cref="LogSoftmax"/> as <c>LogSoftmax(axis)</c>.</summary>
internal sealed class LogSoftmaxExporter : OnnxLayerExporter<LogSoftmax>
{
    public override string Export(LogSoftmax layer, OnnxValue input, OnnxExportContext context) =>
        context.Node("LogSoftmax", [input.Name], OnnxAttribute.Int("axis", layer.Axis));
}
