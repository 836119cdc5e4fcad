using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary><see cref="Sequential"/>: its children in order, each under its state-dict name (<c>0.</c>, <c>1.</c>, …).</summary>
internal sealed class SequentialExporter : OnnxLayerExporter<Sequential>
{
    public override string Export(Sequential layer, OnnxValue input, OnnxExportContext context)
    {
        var x = input;
        foreach (var (name, child) in layer.NamedChildren()) x = context.Export(child, x, name);
        return x.Name;
    }
}
