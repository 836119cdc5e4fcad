using System.Text.Json;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// Epoch records as model files store them (<c>nabla.history</c>): a JSON array of objects
/// <c>{"epoch": 1, "loss": …, "accuracy": …, "val_loss": …, "lr": …, "seconds": …}</c>, epochs counted
/// from 1 across resumed runs.
/// </summary>
internal static class HistoryRecords
{
    /// <summary>One epoch's figures, numbered after <paramref name="firstEpoch"/> earlier epochs.</summary>
    public static Dictionary<string, double> Fields(EpochLogs logs, int firstEpoch)
    {
        var d = new Dictionary<string, double> { ["epoch"] = firstEpoch + logs.Epoch + 1 };
        foreach (var (k, v) in logs.Values) d[k] = v;
        return d;
    }

    /// <summary>The records as JSON.</summary>
    public static string Serialize(IEnumerable<Dictionary<string, double>> records) =>
        JsonSerializer.Serialize(records.Select(r => r.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? (double?)kv.Value : null)));

    /// <summary>Reads stored records (empty when there are none).</summary>
    public static List<Dictionary<string, double>> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            var raw = JsonSerializer.Deserialize<List<Dictionary<string, double?>>>(json) ?? [];
            return [.. raw.Select(r => r.ToDictionary(kv => kv.Key, kv => kv.Value ?? double.NaN))];
        }
        catch (JsonException e)
        {
            throw new IO.ModelFileException($"the model's training history is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>A figure across records (NaN where missing).</summary>
    public static List<double> Series(IReadOnlyList<Dictionary<string, double>> records, string key) =>
        [.. records.Select(r => r.TryGetValue(key, out var v) ? v : double.NaN)];
}

/// <summary>
/// The <c>--plot</c> chart: a loss panel (train, validation), an accuracy panel when accuracy was logged,
/// and a learning-rate panel; the best epoch (lowest val_loss, or loss without validation data) is marked.
/// </summary>
internal static class Plot
{
    public static string Render(IReadOnlyList<Dictionary<string, double>> records, IEnumerable<ChartPanel>? extra = null)
    {
        var panels = new List<ChartPanel>
        {
            new("loss", "loss", [new("train", "#1f77b4", HistoryRecords.Series(records, "loss")), new("validation", "#ff7f0e", HistoryRecords.Series(records, "val_loss"))]),
        };
        if (records.Any(r => r.ContainsKey("accuracy")))
            panels.Add(new("accuracy", "accuracy", [new("train", "#1f77b4", HistoryRecords.Series(records, "accuracy")), new("validation", "#ff7f0e", HistoryRecords.Series(records, "val_accuracy"))]));
        if (records.Any(r => r.ContainsKey("lr")))
            panels.Add(new("learning rate", "learning rate η", [new("lr", "#9467bd", HistoryRecords.Series(records, "lr"))]));
        if (extra is not null) panels.AddRange(extra);
        return SvgChart.Render(panels, BestEpoch(records));
    }

    /// <summary>The 1-based epoch with the lowest val_loss (loss when there is no validation data), or null.</summary>
    public static int? BestEpoch(IReadOnlyList<Dictionary<string, double>> records)
    {
        string key = records.Any(r => r.TryGetValue("val_loss", out var v) && double.IsFinite(v)) ? "val_loss" : "loss";
        var values = HistoryRecords.Series(records, key);
        int best = -1;
        for (int i = 0; i < values.Count; i++)
            if (double.IsFinite(values[i]) && (best < 0 || values[i] < values[best])) best = i;
        return best < 0 ? null : best + 1;
    }
}
