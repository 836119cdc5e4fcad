using System.Globalization;
using Nabla.Nn;

namespace Nabla.Training.Callbacks;

/// <summary>
/// The rules <see cref="Diagnostics"/> applies after each epoch: each looks at the epoch's figures
/// (and the history, for overfitting) and words what it finds with a suggestion.
/// </summary>
internal static class DiagnosticRules
{
    public static IEnumerable<DiagnosticWarning> Evaluate(Diagnostics d, History history, int epoch)
    {
        int e = d.EpochCount - 1;
        var weights = d.Parameters.Where(p => p.Role == ParameterRole.Weight && double.IsFinite(p.GradientNorm[e])).ToList();
        if (weights.Count >= 2 && weights[^1].GradientNorm[e] is > 0 and var last)
        {
            var early = weights.Take(weights.Count - 1).ToList();
            var vanishing = early.Where(p => p.GradientNorm[e] / last < d.VanishingRatio).ToList();
            if (vanishing.Count > 0)
                yield return new(DiagnosticKind.VanishingGradients, vanishing[0].Name, epoch,
                    $"vanishing gradients: {Layers(vanishing)} {Get(vanishing)} {Ratios(vanishing, e, last)} of the last layer's gradient norm; consider ReLU or batch norm");
            var exploding = early.Where(p => p.GradientNorm[e] / last > d.ExplodingRatio).ToList();
            if (exploding.Count > 0)
                yield return new(DiagnosticKind.ExplodingGradients, exploding[0].Name, epoch,
                    $"exploding gradients: {Layers(exploding)} {Get(exploding)} {Ratios(exploding, e, last)} times the last layer's gradient norm; clip the gradients, lower the learning rate or use batch norm");
        }

        foreach (var layer in d.Layers)
        {
            if (layer.DeadFraction[e] >= d.DeadReLUFraction)
                yield return new(DiagnosticKind.DeadReLU, layer.Name, epoch,
                    $"dead ReLU: {Percent(layer.DeadFraction[e])} of units in layer {layer.Name} never activate; lower the learning rate or use LeakyReLU");
            if (layer.SaturatedFraction[e] >= d.SaturatedFraction)
                yield return new(DiagnosticKind.Saturation, layer.Name, epoch,
                    $"saturated {layer.Activation}: {Percent(layer.SaturatedFraction[e])} of layer {layer.Name}'s outputs are within {LayerDiagnostics.SaturationMargin.ToString(CultureInfo.InvariantCulture)} of {(layer.Activation == "tanh" ? "−1 or 1" : "0 or 1")}, where its gradient vanishes; standardize the inputs, use smaller initial weights or ReLU");
        }

        foreach (var p in d.Parameters.Where(p => p.Role == ParameterRole.Weight))
        {
            double r = p.UpdateRatio[e];
            if (r >= d.LargeUpdateRatio)
                yield return new(DiagnosticKind.LargeUpdates, p.Name, epoch, $"update ratio {Number(r)} in layer {p.Name}: learning rate likely too large");
            // Only the first epoch tells: later, tiny updates mean convergence, or gradients that died (reported
            // above). A ratio of 0 with a gradient is the extreme case: steps below float32's resolution of w.
            else if (e == 0 && r < d.SmallUpdateRatio && p.GradientNorm[e] > 0 && p.LearningRate > 0)
                yield return new(DiagnosticKind.SmallUpdates, p.Name, epoch, $"update ratio {Number(r)} in layer {p.Name}: learning rate likely too small");
        }

        if (Overfitting(history, d.OverfittingEpochs))
            yield return new(DiagnosticKind.Overfitting, "", epoch,
                $"overfitting: validation loss rising for {d.OverfittingEpochs} epochs while training loss falls; stop earlier (early stopping), add dropout or weight decay, or use more data");
    }

    // The last k epochs each raised the validation loss, and the training loss fell over them.
    private static bool Overfitting(History history, int k)
    {
        var epochs = history.Epochs;
        int n = epochs.Count;
        if (k < 1 || n < k + 1) return false;
        for (int i = n - k; i < n; i++)
            if (!(epochs[i].ValidationLoss > epochs[i - 1].ValidationLoss)) return false;
        return epochs[n - 1].Loss < epochs[n - 1 - k].Loss;
    }

    private static string Layers(List<ParameterDiagnostics> ps) => (ps.Count == 1 ? "layer " : "layers ") + string.Join(", ", ps.Select(p => p.Name));

    private static string Get(List<ParameterDiagnostics> ps) => ps.Count == 1 ? "gets" : "get";

    private static string Ratios(List<ParameterDiagnostics> ps, int e, double last) => string.Join(", ", ps.Select(p => Number(p.GradientNorm[e] / last)));

    private static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + " %";

    /// <summary>A figure in one or two significant digits: <c>0.3</c>, <c>12</c>, <c>1e-7</c>, <c>2e+4</c>.</summary>
    internal static string Number(double v) => v == 0 || (Math.Abs(v) >= 0.01 && Math.Abs(v) < 1000)
        ? v.ToString("0.##", CultureInfo.InvariantCulture)
        : v.ToString("0e+0", CultureInfo.InvariantCulture);
}
