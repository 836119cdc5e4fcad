using System.Globalization;
using System.Text.Json.Nodes;
using Nabla.Nn;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla train --diagnose</c>'s output: the last epoch's figures per parameter and per layer and
/// the warnings (text), the full per-epoch record (the <c>diagnostics</c> object of the <c>--json</c>
/// summary), a <c>--plot</c> panel of per-layer gradient norms, and what is known when training
/// diverges. The figures and warnings are the library's <see cref="Diagnostics"/>; this only formats them.
/// </summary>
internal static class DiagnosticsReport
{
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>
    /// Runs <paramref name="fit"/>; when it diverges while diagnosing, prints the diagnostics gathered so
    /// far and fails with the divergence message extended by where NaN or infinity first appeared.
    /// </summary>
    public static History OnDivergence(CliContext ctx, bool json, Diagnostics? diagnostics, int firstEpoch, Func<History> fit)
    {
        if (diagnostics is null) return fit();
        try
        {
            return fit();
        }
        catch (TrainingDivergedException e)
        {
            if (json) JsonReport.WriteLine(ctx.Out, [new("command", "train"), new("diverged", true), new("diagnostics", Json(diagnostics, firstEpoch))]);
            else Write(ctx.Out, diagnostics, firstEpoch);
            throw new UsageException(diagnostics.FirstNonFinite is { } origin ? $"{e.Message}; the first non-finite value: {origin}" : e.Message);
        }
    }

    /// <summary>The last epoch's figures and every warning, as text.</summary>
    public static void Write(TextWriter o, Diagnostics d, int firstEpoch)
    {
        int e = d.EpochCount - 1;
        if (e >= 0)
        {
            o.WriteLine($"diagnostics (epoch {firstEpoch + e + 1}; means over its steps)");
            var rows = new List<string[]> { new[] { "parameter", "grad norm", "weight norm", "update ratio" } };
            foreach (var p in d.Parameters) rows.Add([p.Name, F(p.GradientNorm[e]), F(p.WeightNorm[e]), F(p.UpdateRatio[e])]);
            Table(o, rows);
            rows = [["layer", "output", "mean", "std", "dead", "saturated"]];
            foreach (var l in d.Layers) rows.Add([l.Name, l.Description, F(l.Mean[e]), F(l.Std[e]), Percent(l.DeadFraction[e]), Percent(l.SaturatedFraction[e])]);
            Table(o, rows);
        }
        if (d.FirstNonFinite is { } origin) o.WriteLine($"first non-finite value: {origin}");
        if (d.Warnings.Count == 0)
        {
            o.WriteLine("warnings: none");
            return;
        }
        o.WriteLine("warnings");
        foreach (var w in d.Warnings) o.WriteLine($"  epoch {firstEpoch + w.Epoch + 1}: {w.Message}");
    }

    /// <summary>The <c>diagnostics</c> object: per-epoch figures per parameter and per layer, the first non-finite value and the warnings.</summary>
    public static JsonObject Json(Diagnostics d, int firstEpoch)
    {
        var parameters = new JsonArray();
        foreach (var p in d.Parameters)
            parameters.Add(new JsonObject
            {
                ["name"] = p.Name, ["role"] = p.Role.ToString().ToLowerInvariant(),
                ["grad_norm"] = Series(p.GradientNorm), ["weight_norm"] = Series(p.WeightNorm), ["update_ratio"] = Series(p.UpdateRatio),
            });
        var layers = new JsonArray();
        foreach (var l in d.Layers)
        {
            var layer = new JsonObject { ["name"] = l.Name, ["description"] = l.Description, ["activation"] = l.Activation, ["mean"] = Series(l.Mean), ["std"] = Series(l.Std) };
            if (l.Activation == "relu") layer["dead_fraction"] = Series(l.DeadFraction);
            if (l.Activation is "sigmoid" or "tanh") layer["saturated_fraction"] = Series(l.SaturatedFraction);
            layers.Add(layer);
        }
        return new JsonObject
        {
            ["epochs"] = new JsonArray([.. Enumerable.Range(firstEpoch + 1, d.EpochCount).Select(n => (JsonNode)n)]),
            ["parameters"] = parameters, ["layers"] = layers, ["first_non_finite"] = d.FirstNonFinite,
            ["warnings"] = new JsonArray([.. d.Warnings.Select(w => (JsonNode)w.Message)]),
        };
    }

    /// <summary>The <c>--plot</c> panel: log₁₀ of each weight's gradient norm per epoch (blank for epochs of an earlier, resumed run).</summary>
    public static IEnumerable<ChartPanel> Panels(Diagnostics d, int firstEpoch)
    {
        var weights = d.Parameters.Where(p => p.Role == ParameterRole.Weight).ToList();
        var series = weights.Select((p, i) => new ChartSeries(p.Name, Colors[i % Colors.Length],
            [.. Enumerable.Repeat(double.NaN, firstEpoch).Concat(p.GradientNorm.Select(g => g > 0 ? Math.Log10(g) : double.NaN))])).ToList();
        return [new ChartPanel("gradient norms", "log₁₀ gradient norm per layer", series)];
    }

    // Six significant digits: enough to compare layers, short enough to read.
    private static JsonArray Series(IReadOnlyList<double> values) => new([.. values.Select(v => double.IsFinite(v)
        ? JsonValue.Create(double.Parse(v.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)) : null)]);

    private static string F(double v) => ConsoleReport.F(v);

    private static string Percent(double fraction) => double.IsFinite(fraction) ? (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + " %" : "";

    private static void Table(TextWriter o, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows) o.WriteLine(("  " + string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c])))).TrimEnd());
    }
}
