using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="FunctionalModel"/> with one input: the steps its main (first) output needs, in the order
/// <see cref="FunctionalModel.Forward"/> runs them, each module under its state-dict name — what <c>Forward</c>
/// computes, so auxiliary heads (used only in training) are left out. A module applied twice is written twice
/// (its weights become two initializers with the same values). A padding mask follows
/// <see cref="Module.SupportsMasking"/> as in <see cref="SequentialExporter"/>.
/// </summary>
internal sealed class FunctionalModelExporter : OnnxLayerExporter<FunctionalModel>
{
    public override string Export(FunctionalModel layer, OnnxValue input, OnnxExportContext context)
    {
        if (layer.Inputs.Count != 1)
            throw new OnnxExportException($"{layer.Describe()} has {layer.Inputs.Count} inputs; an exported model has one input");
        var steps = layer.Steps().ToArray();
        int main = layer.OutputStep(0);
        if (main < 0) return context.Node("Identity", [input.Name]);
        var needed = new bool[steps.Length];
        for (int s = main; s >= 0; s = steps[s].Source) needed[s] = true;
        var values = new OnnxValue?[steps.Length];
        for (int s = 0; s < steps.Length; s++)
        {
            if (!needed[s]) continue;
            var (module, name, source) = steps[s];
            var x = source < 0 ? input : values[source]!;
            var y = context.Export(module, x, name);
            if (x.Mask is { } mask && y.Mask is null && module.SupportsMasking)
            {
                context.SetMask(y.Name, mask);
                y = y with { Mask = mask };
            }
            values[s] = y;
        }
        return values[main]!.Name;
    }
}
