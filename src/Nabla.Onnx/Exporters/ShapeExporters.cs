using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="Flatten"/>: <c>Flatten(axis=1)</c> for the usual [N, …] → [N, rest]; any other start
/// axis as a <c>Reshape</c> that keeps the axes before it (0 = copy) and merges the rest (−1).
/// </summary>
internal sealed class FlattenExporter : OnnxLayerExporter<Flatten>
{
    public override string Export(Flatten layer, OnnxValue input, OnnxExportContext context)
    {
        int rank = input.Shape.Rank, start = layer.StartAxis < 0 ? layer.StartAxis + rank : layer.StartAxis;
        if (start == 1) return context.Node("Flatten", [input.Name], OnnxAttribute.Int("axis", 1));
        var shape = new long[start + 1];
        shape[start] = -1;
        return context.Node("Reshape", [input.Name, context.Int64Initializer("shape", shape)]);
    }
}

/// <summary><see cref="Dropout"/> is the identity in inference: no node.</summary>
internal sealed class DropoutExporter : OnnxLayerExporter<Dropout>
{
    public override string Export(Dropout layer, OnnxValue input, OnnxExportContext context) => input.Name;
}

/// <summary><see cref="Identity"/> (the <c>linear</c> activation): no node.</summary>
internal sealed class IdentityExporter : OnnxLayerExporter<Identity>
{
    public override string Export(Identity layer, OnnxValue input, OnnxExportContext context) => input.Name;
}
