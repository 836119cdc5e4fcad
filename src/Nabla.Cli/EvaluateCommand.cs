using System.CommandLine;
using Nabla.Data;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla evaluate --model FILE [--data SPEC] [--json]</c>: the test figures of a saved model. Data
/// SPEC, split seed, limit, label columns and separator default to those the model was trained with
/// (stored in the file), so the test part is the one <c>train</c> reported on.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file written by nabla train --out", Required = true };
        var data = new Option<string?>("--data", "-d") { Description = "Data SPEC whose test part is evaluated (default: the one the model was trained on)" };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training and N/5 test samples (default: as trained)" };
        var label = new Option<string?>("--label") { Description = "CSV label column(s) (default and only allowed value: those the model was trained with)" };
        var separator = new Option<string?>("--label-separator") { Description = "CSV multi-label separator (default and only allowed value: the trained one)" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the train/test split (default: the training seed)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("evaluate", "Evaluate a saved model on the test part of a data set") { model, data, limit, label, separator, seed, json };
        cmd.SetAction(r =>
        {
            NablaCommand.Require(r.GetValue(limit) is null or >= 1, $"--limit must be at least 1, got {r.GetValue(limit)}");
            string path = r.GetValue(model)!;
            var (net, info) = NablaCommand.LoadModel(path);
            NablaCommand.Require(info.Extra.GetValueOrDefault("task") != AutoencodeTask.Name,
                $"{path} is an autoencoder: train --task autoencode reports its test reconstruction error and encode writes its codes; evaluate takes classifiers and regressions");
            var task = TaskKinds.Parse(info.Task);
            var (labels, labelSeparator) = TrainingSettings.Labels(r, label, separator, path, info);
            string spec = r.GetValue(data) ?? info.Extra.GetValueOrDefault("data") ?? "digits";
            var stored = new TrainingSettings.Stored(path, info.Extra);
            ulong split = r.GetValue(seed) ?? stored.Number("seed", ulong.Parse) ?? 0UL;
            int? rows = r.GetValue(limit) ?? stored.Number("limit", int.Parse);
            // The stored separator belongs to the stored data; other data gets the one its name implies.
            char? delimiter = r.GetValue(data) is null ? TrainingSettings.StoredDelimiter(stored) : null;
            var loaded = DataSpec.Load(spec, SavedModelData.Options(info, split, rows, labels, labelSeparator, delimiter));
            SavedModelData.Check(path, info, loaded);
            var assessment = Assessment.Run(net, Preparation.Apply(loaded.Test, info), task, info, 256);
            var fields = new List<KeyValuePair<string, object?>> { new("command", "evaluate"), new("model", Path.GetFullPath(path)), new("data", loaded.Name), new("samples", loaded.Test.Count) };
            foreach (var (k, v) in assessment.Figures) fields.Add(new(k, v));
            if (r.GetValue(json))
            {
                if (assessment.Confusion is { } m) fields.Add(new("confusion_matrix", m.ToArray()));
                JsonReport.WriteLine(ctx.Out, fields);
                return NablaCommand.Ok;
            }
            ConsoleReport.Summary(ctx, "evaluation", fields.Skip(1).Select(kv => new KeyValuePair<string, string>(kv.Key, TrainCommand.Text(kv.Value))));
            if (assessment.Confusion is { } cm) ConsoleReport.Confusion(ctx, cm, info.Classes);
            return NablaCommand.Ok;
        });
        return cmd;
    }
}
