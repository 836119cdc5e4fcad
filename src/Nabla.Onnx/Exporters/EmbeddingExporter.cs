using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="Embedding"/>: y[…, :] = W[ids[…], :] as <c>Gather</c> of the table on the ids (graph
/// inputs are float, so they are cast to int64 first). With a padding index the output carries the
/// padding mask 1 − (ids = padding) as a float [N, T] value, which masked pooling layers read.
/// </summary>
internal sealed class EmbeddingExporter : OnnxLayerExporter<Embedding>
{
    public override string Export(Embedding layer, OnnxValue input, OnnxExportContext context)
    {
        string ids = context.Node("Cast", [input.Name], OnnxAttribute.Int("to", (long)OnnxType.Int64));
        string y = context.Node("Gather", [context.Initializer("weight", layer.Weight), ids], OnnxAttribute.Int("axis", 0));
        if (layer.PaddingIdx is { } pad) context.SetMask(y, PaddingMask(input.Name, pad, context));
        return y;
    }

    /// <summary>A float value that is 1 where <paramref name="ids"/> differ from <paramref name="padding"/>, else 0.</summary>
    internal static string PaddingMask(string ids, int padding, OnnxExportContext context)
    {
        string isPadding = context.Node("Equal", [ids, context.Constant(padding)]);
        return context.Node("Cast", [context.Node("Not", [isPadding])], OnnxAttribute.Int("to", (long)OnnxType.Float));
    }
}
