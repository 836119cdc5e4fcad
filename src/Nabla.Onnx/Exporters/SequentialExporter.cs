using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="Sequential"/>: its children in order, each under its state-dict name (<c>0.</c>, <c>1.</c>, …).
/// A padding mask goes from a layer's input to its output when the layer <see cref="Module.SupportsMasking"/>,
/// as <see cref="Sequential.Forward"/> does.
/// </summary>
internal sealed class SequentialExporter : OnnxLayerExporter<Sequential>
{
    public override string Export(Sequential layer, OnnxValue input, OnnxExportContext context)
    {
        var x = input;
        foreach (var (name, child) in layer.NamedChildren())
        {
            var y = context.Export(child, x, name);
            if (x.Mask is { } mask && y.Mask is null && child.SupportsMasking)
            {
                context.SetMask(y.Name, mask);
                y = y with { Mask = mask };
            }
            x = y;
        }
        return x.Name;
    }
}
