using System.Globalization;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;
using Spectre.Console;

namespace Nabla.Cli;

/// <summary>
/// Human-readable output: a Spectre.Console live progress bar per epoch and tables when writing
/// to a terminal; one plain line per epoch and plain-text tables otherwise (logs, pipes, tests).
/// </summary>
internal static class ConsoleReport
{
    /// <summary>One epoch as a plain line: <c>epoch 3/30  loss 0.1234  acc 0.9650  val_loss …  val_acc …  1.2s</c>.</summary>
    public static string EpochLine(EpochLogs logs, int epochNumber, int totalEpochs)
    {
        var parts = new List<string> { $"epoch {epochNumber}/{totalEpochs}" };
        foreach (var (key, label) in new[] { ("loss", "loss"), ("accuracy", "acc"), ("val_loss", "val_loss"), ("val_accuracy", "val_acc") })
            if (logs.TryGetValue(key, out var v) && double.IsFinite(v)) parts.Add($"{label} {F(v)}");
        parts.Add(logs.Seconds.ToString("0.0", CultureInfo.InvariantCulture) + "s");
        return string.Join("  ", parts);
    }

    /// <summary>Runs <paramref name="train"/> under a live progress display on <paramref name="console"/> fed by <paramref name="progress"/>'s events.</summary>
    public static T WithProgressBars<T>(IAnsiConsole console, ProgressCallback progress, int firstEpoch, int totalEpochs, Func<T> train)
    {
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int taskEpoch = -1;
                progress.BatchEnd += b =>
                {
                    if (b.Epoch != taskEpoch)
                    {
                        task?.StopTask();
                        task = ctx.AddTask($"epoch {firstEpoch + b.Epoch + 1}/{totalEpochs}", maxValue: b.BatchCount);
                        taskEpoch = b.Epoch;
                    }
                    task!.Value = b.Batch + 1;
                    string acc = double.IsFinite(b.RunningAccuracy) ? $" acc {F(b.RunningAccuracy)}" : "";
                    task.Description = $"epoch {firstEpoch + b.Epoch + 1}/{totalEpochs} loss {F(b.RunningLoss)}{acc} {b.SamplesPerSecond:0} samples/s";
                };
                progress.EpochEnd += (logs, _) =>
                {
                    if (task is null) return;
                    task.Description = EpochLine(logs, firstEpoch + logs.Epoch + 1, totalEpochs);
                    task.StopTask();
                };
                result = train();
            });
        return result;
    }

    /// <summary>The summary: one row per figure (Spectre table on a terminal, aligned text otherwise).</summary>
    public static void Summary(CliContext ctx, string title, IEnumerable<KeyValuePair<string, string>> rows)
    {
        if (ctx.Console is { } console)
        {
            var table = new Table().Title(title).AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (k, v) in rows) table.AddRow(Markup.Escape(k), Markup.Escape(v));
            console.Write(table);
            return;
        }
        ctx.Out.WriteLine(title);
        var list = rows.ToList();
        int width = list.Count == 0 ? 0 : list.Max(r => r.Key.Length);
        foreach (var (k, v) in list) ctx.Out.WriteLine($"  {k.PadRight(width)}  {v}");
    }

    /// <summary>The confusion matrix: rows are actual classes, columns predicted (class names abbreviated to 8 characters).</summary>
    public static void Confusion(CliContext ctx, ConfusionMatrix m, IReadOnlyList<string> classes)
    {
        string Name(int c) => c < classes.Count ? Abbreviate(classes[c]) : c.ToString(CultureInfo.InvariantCulture);
        if (ctx.Console is { } console)
        {
            var table = new Table().Title("confusion matrix (rows: actual, columns: predicted)").AddColumn("");
            for (int c = 0; c < m.NumClasses; c++) table.AddColumn(new TableColumn(Markup.Escape(Name(c))).RightAligned());
            for (int a = 0; a < m.NumClasses; a++)
            {
                var cells = new List<string> { Markup.Escape(Name(a)) };
                for (int p = 0; p < m.NumClasses; p++) cells.Add(a == p ? $"[green]{m[a, p]}[/]" : m[a, p] == 0 ? "[grey]0[/]" : $"[red]{m[a, p]}[/]");
                table.AddRow([.. cells]);
            }
            console.Write(table);
            return;
        }
        ctx.Out.WriteLine("confusion matrix (rows: actual, columns: predicted)");
        int w = Math.Max(6, Enumerable.Range(0, m.NumClasses).Max(c => Name(c).Length) + 1);
        ctx.Out.WriteLine(new string(' ', w) + string.Concat(Enumerable.Range(0, m.NumClasses).Select(c => Name(c).PadLeft(w))));
        for (int a = 0; a < m.NumClasses; a++)
            ctx.Out.WriteLine(Name(a).PadRight(w) + string.Concat(Enumerable.Range(0, m.NumClasses).Select(p => m[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(w))));
    }

    /// <summary>A figure as text, in plain decimals (<see cref="Numbers.Figure"/>).</summary>
    public static string F(double v) => Numbers.Figure(v);

    private static string Abbreviate(string s) => s.Length <= 8 ? s : s[..8];
}
