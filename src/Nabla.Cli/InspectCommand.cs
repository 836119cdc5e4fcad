using System.CommandLine;
using System.Globalization;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary><c>nabla inspect FILE</c>: architecture table, parameter count, task, classes and training metadata of a model file.</summary>
internal static class InspectCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "Model file (.safetensors) written by nabla train --out" };
        var cmd = new Command("inspect", "Describe a saved model") { file };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(file)!;
            if (Seq2SeqInspect.TryWrite(ctx.Out, path)) return NablaCommand.Ok;
            var (model, info) = NablaCommand.LoadModel(path);
            var o = ctx.Out;
            // Every value comes from the file: escaped so that no control sequence reaches the terminal.
            string E(string? text) => Printable.Escape(text);
            o.WriteLine($"{E(Path.GetFileName(path))}: Nabla model (written by Nabla {E(info.NablaVersion)})");
            o.WriteLine($"architecture  {E(info.Architecture)}");
            o.WriteLine($"input shape   [{string.Join(", ", info.InputShape)}]");
            o.WriteLine($"task          {info.Task}");
            if (info.Classes.Count > 0) o.WriteLine($"classes       {E(string.Join(", ", info.Classes))}");
            if (info.Thresholds.Count > 0) o.WriteLine($"thresholds    {string.Join(", ", info.Thresholds.Select(t => t.ToString("0.###", CultureInfo.InvariantCulture)))}");
            if (info.Vectorizer is { } vectorizer) o.WriteLine($"text          {TextModel.Describe(vectorizer, info.TextColumn)}");
            else o.WriteLine($"inputs        {(info.InputMean.Count > 0 ? $"standardized ({info.InputMean.Count} features)" : "not standardized")}, scale {Numbers.Significant(info.InputScale, 4)}");
            o.WriteLine($"parameters    {model.ParameterCount().ToString("N0", CultureInfo.InvariantCulture)}");
            if (info.LabelColumns.Count > 0) o.WriteLine($"label columns {E(string.Join(", ", info.LabelColumns))}{(info.LabelSeparator is { } sep ? $" (labels joined by '{E(sep)}')" : "")}");
            int width = Math.Max(13, info.Extra.Keys.Select(k => E(k).Length).DefaultIfEmpty(0).Max());
            foreach (var (k, v) in info.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o.WriteLine($"{E(k).PadRight(width)} {Printable.Escape(v)}");
            o.WriteLine();
            o.WriteLine(ModelSummary.Format(model, new Shape(info.InputShape)));
            var history = HistoryRecords.Parse(info.HistoryJson);
            if (history.Count > 0)
            {
                var last = history[^1];
                string Figure(string key) => last.TryGetValue(key, out var v) ? $"  {key} {ConsoleReport.F(v)}" : "";
                o.WriteLine($"history       {history.Count} epochs; last:{Figure("loss")}{Figure("accuracy")}{Figure("val_loss")}{Figure("val_accuracy")}");
                double best = HistoryRecords.Series(history, "val_loss").Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();
                if (double.IsFinite(best)) o.WriteLine($"              best val_loss {ConsoleReport.F(best)}");
            }
            return NablaCommand.Ok;
        });
        return cmd;
    }
}
