using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="GlobalAveragePooling1D"/>: x [N, T, C] → mean over T (<c>ReduceMean</c>). With a padding
/// mask m [N, T] (from an embedding with a padding index): Σ_t x·m / max(Σ_t m, 1), so padding
/// positions do not count and a row of padding only gives zeros, as Nabla does.
/// </summary>
internal sealed class GlobalAveragePooling1DExporter : OnnxLayerExporter<GlobalAveragePooling1D>
{
    public override string Export(GlobalAveragePooling1D layer, OnnxValue input, OnnxExportContext context)
    {
        if (input.Mask is not { } mask)
            return context.Node("ReduceMean", [input.Name], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
        string time = context.Int64Initializer("time_axis", 1);
        string masked = context.Node("Mul", [input.Name, context.Node("Unsqueeze", [mask, context.Int64Initializer("channel_axis", 2)])]);
        string sum = context.Node("ReduceSum", [masked, time], OnnxAttribute.Int("keepdims", 0));
        string count = context.Node("ReduceSum", [mask, time], OnnxAttribute.Int("keepdims", 1));
        return context.Node("Div", [sum, context.Node("Max", [count, context.Constant(1f)])]);
    }
}

/// <summary>
/// <see cref="GlobalMaxPooling1D"/>: x [N, T, C] → max over T (<c>ReduceMax</c>). With a padding mask
/// m [N, T]: padding positions become −∞ (<c>Where</c>) before the max, and a row of padding only
/// gives zeros, as Nabla does.
/// </summary>
internal sealed class GlobalMaxPooling1DExporter : OnnxLayerExporter<GlobalMaxPooling1D>
{
    public override string Export(GlobalMaxPooling1D layer, OnnxValue input, OnnxExportContext context)
    {
        if (input.Mask is not { } mask)
            return context.Node("ReduceMax", [input.Name], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
        string real = context.Node("Cast", [mask], OnnxAttribute.Int("to", (long)OnnxType.Bool));
        string keep = context.Node("Unsqueeze", [real, context.Int64Initializer("channel_axis", 2)]);
        string masked = context.Node("Where", [keep, input.Name, context.Constant(float.NegativeInfinity)]);
        string max = context.Node("ReduceMax", [masked], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
        string any = context.Node("ReduceMax", [mask], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
        return context.Node("Where", [context.Node("Greater", [any, context.Constant(0f)]), max, context.Constant(0f)]);
    }
}
