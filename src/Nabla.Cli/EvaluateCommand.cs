using System.CommandLine;
using Nabla.Data;

namespace Nabla.Cli;

/// <summary><c>nabla evaluate --model FILE --data SPEC [--json]</c>: the test figures of a saved model.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file written by nabla train --out", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "Data SPEC (its test part is evaluated)", DefaultValueFactory = _ => "digits" };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training and N/5 test samples" };
        var label = new Option<string?>("--label") { Description = "CSV label column(s), as for train" };
        var separator = new Option<string?>("--label-separator") { Description = "CSV multi-label separator, as for train" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the train/test split (use the training seed)", DefaultValueFactory = _ => 0UL };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("evaluate", "Evaluate a saved model on the test part of a data set") { model, data, limit, label, separator, seed, json };
        cmd.SetAction(r =>
        {
            NablaCommand.Require(r.GetValue(limit) is null or >= 1, $"--limit must be at least 1, got {r.GetValue(limit)}");
            string path = r.GetValue(model)!;
            var (net, info) = NablaCommand.LoadModel(path);
            var task = TaskKinds.Parse(info.Task);
            var loaded = DataSpec.Load(r.GetValue(data)!, new DataOptions
            {
                Seed = r.GetValue(seed), Limit = r.GetValue(limit), Label = r.GetValue(label), LabelSeparator = r.GetValue(separator), Task = task,
                ImagesAsChannels = info.InputShape.Length > 2, KnownClasses = info.Classes.Count > 0 ? info.Classes : null,
            });
            int[] expected = info.InputShape[1..];
            if (!expected.SequenceEqual(loaded.SampleShape))
                throw new ArgumentException($"{path} expects {string.Join("×", expected)} input features, the data has {string.Join("×", loaded.SampleShape)}");
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
