using System.CommandLine;
using System.Globalization;
using System.Text;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla encode --model FILE [--input DATA] [--layer K] --out codes.csv [--scatter FILE.svg]</c>: the codes a
/// saved model gives a data set's rows, i.e. the outputs of its layer K (as <c>nabla inspect</c> numbers
/// them), written as CSV with the row's label when the data has labels; <c>--scatter</c> plots the first two
/// code dimensions coloured by class. Without <c>--layer</c> the code is the bottleneck: the first layer
/// with the fewest outputs per sample among those before the output layer (the last layer with
/// parameters), together with the parameter-free layers right after it (its activation).
/// </summary>
internal static class EncodeCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file written by nabla train --out (an autoencoder, or any image or tabular model)", Required = true };
        var input = new Option<string?>("--input", "-i") { Description = "Data SPEC to encode (default: the one the model was trained on)", HelpName = "DATA" };
        var layer = new Option<int?>("--layer") { Description = "The code is the output of this layer (0-based, as nabla inspect numbers them; default: the bottleneck)", HelpName = "K" };
        var part = new Option<string>("--part") { Description = "Which rows: test, train or all", DefaultValueFactory = _ => "test", HelpName = "test|train|all" };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training and N/5 test samples (default: as trained)" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the train/test split (default: the training seed)" };
        var output = new Option<string>("--out", "-o") { Description = "Write the codes here (CSV: code_1, …, code_D and label)", Required = true, HelpName = "codes.csv" };
        var scatter = new Option<string?>("--scatter") { Description = "Also draw the first two code dimensions as a scatter plot coloured by class (SVG)", HelpName = "FILE.svg" };
        var cmd = new Command("encode", "Write the codes (a layer's outputs, by default the bottleneck) a saved model gives a data set") { model, input, layer, part, limit, seed, output, scatter };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(model)!, outPath = r.GetValue(output)!;
            string which = r.GetValue(part)!.Trim().ToLowerInvariant();
            NablaCommand.Require(which is "test" or "train" or "all", $"--part takes test, train or all, got {Printable.Quote(r.GetValue(part)!)}");
            NablaCommand.Require(r.GetValue(limit) is null or >= 1, $"--limit must be at least 1, got {r.GetValue(limit)}");
            var (net, info) = NablaCommand.LoadModel(path);
            NablaCommand.Require(info.Vectorizer is null, $"{path} is a model of text; encode takes image and tabular models");
            var stored = new TrainingSettings.Stored(path, info.Extra);
            string spec = r.GetValue(input) ?? info.Extra.GetValueOrDefault("data") ?? "digits";
            var options = new DataOptions
            {
                Seed = r.GetValue(seed) ?? stored.Number("seed", ulong.Parse) ?? 0UL, Limit = r.GetValue(limit) ?? stored.Number("limit", int.Parse),
                Label = info.LabelColumns.Count > 0 ? string.Join(",", info.LabelColumns) : null, LabelSeparator = info.LabelSeparator,
                Delimiter = r.GetValue(input) is null ? TrainingSettings.StoredDelimiter(stored) : null, ImagesAsChannels = info.InputShape.Length > 2,
            };
            var outputs = new List<NamedPath> { new("--out", outPath) };
            if (r.GetValue(scatter) is { } svg) outputs.Add(new NamedPath("--scatter", svg));
            var inputs = DataSpec.InputFiles(spec, options).Select(f => new NamedPath($"--input {spec}", f)).Append(new NamedPath("--model", path));
            OutputPaths.Check([.. inputs], outputs, (_, _) => false);

            int k = CodeLayer(net, info, r.GetValue(layer), path);
            var data = DataSpec.Load(spec, options);
            int[] expected = info.InputShape[1..];
            if (!expected.SequenceEqual(data.SampleShape))
                throw new UsageException($"{path} takes inputs of shape [{string.Join(", ", expected)}], {data.Name} has samples of shape [{string.Join(", ", data.SampleShape)}]");
            var rows = which switch
            {
                "train" => new[] { data.Train },
                "test" => new[] { data.Test },
                _ => new[] { data.Train, data.Test },
            };
            var codes = new List<float[]>();
            var labels = new List<Tensor>();
            int width = 0;
            foreach (var raw in rows)
            {
                var (x, y) = Preparation.All(raw);
                // Only the inputs are prepared: a regression model's target statistics do not apply to these labels.
                var prepared = raw is Dataset ? Preparation.Standardize(x, info.InputMean, info.InputStd, info.InputScale) : x;
                var z = net[..(k + 1)].Predict(prepared, 256);
                width = z.Numel / Math.Max(1, z.Shape[0]);
                codes.Add(z.ToArray());
                labels.Add(y);
            }
            var all = codes.SelectMany(c => c).ToArray();
            int n = all.Length / Math.Max(1, width);
            var (names, classes) = Labels(data, labels);
            NablaCommand.WriteAtomically(outPath, Csv(all, n, width, names));
            if (r.GetValue(scatter) is { } plot)
            {
                NablaCommand.Require(width >= 2, $"--scatter draws two code dimensions; layer {k} gives {width}");
                var xs = Enumerable.Range(0, n).Select(i => (double)all[i * width]).ToList();
                var ys = Enumerable.Range(0, n).Select(i => (double)all[i * width + 1]).ToList();
                string title = $"{Path.GetFileName(path)}: layer {k} ({net[k].Describe()}) on {data.Name} ({which})";
                string axes = width == 2 ? "code" : $"code (first 2 of {width} dimensions)";
                NablaCommand.WriteAtomically(plot, SvgScatter.Render(xs, ys, classes, data.ClassNames, title, $"{axes}: dimension 1", $"{axes}: dimension 2"));
            }
            ctx.Out.WriteLine($"encoded {n} rows of {data.Name} ({which}) with layer {k} of {path} ({net[k].Describe()}): {width} dimensions → {outPath}{(r.GetValue(scatter) is { } s2 ? $", scatter plot → {s2}" : "")}");
            return NablaCommand.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The layer whose outputs are the codes: <paramref name="given"/>, or the first layer with the fewest outputs per
    /// sample before the output layer, extended through the parameter-free layers after it that keep its size.
    /// </summary>
    /// <exception cref="UsageException">A layer index out of range.</exception>
    internal static int CodeLayer(Sequential model, ModelInfo info, int? given, string file)
    {
        if (given is int k)
        {
            NablaCommand.Require(k >= 0 && k < model.Count, $"--layer {k} is not a layer of {file}, whose layers are 0 to {model.Count - 1} ({info.Architecture})");
            return k;
        }
        var sizes = new List<int>();
        var shape = new Shape(info.InputShape);
        for (int i = 0; i < model.Count; i++)
        {
            shape = ModelBuilder.OutputShape(model[i], shape);
            sizes.Add(shape.Numel / Math.Max(1, shape[0]));
        }
        int output = Enumerable.Range(0, model.Count).LastOrDefault(i => model[i].Parameters().Any(), model.Count - 1);
        if (output == 0) return 0;
        int best = 0;
        for (int i = 1; i < output; i++) if (sizes[i] < sizes[best]) best = i;
        while (best + 1 < output && !model[best + 1].Parameters().Any() && sizes[best + 1] == sizes[best]) best++;
        return best;
    }

    // Each row's label as text (class name, joined label names, or value) and, for classes, the index for colours.
    private static (List<string>? Names, List<int>? Classes) Labels(LoadedData data, List<Tensor> labels)
    {
        if (data.LabelColumns.Count == 0 && data.ClassNames.Count == 0) return (null, null);
        var names = new List<string>();
        var classes = new List<int>();
        foreach (var y in labels)
        {
            var v = y.ToArray();
            int rows = y.Shape[0], w = v.Length / Math.Max(1, rows);
            for (int i = 0; i < rows; i++)
            {
                switch (data.Task)
                {
                    case TaskKind.MultiClass or TaskKind.Binary:
                        int c = (int)v[i * w];
                        classes.Add(c);
                        names.Add(c < data.ClassNames.Count ? data.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture));
                        break;
                    case TaskKind.MultiLabel:
                        names.Add(string.Join(';', Enumerable.Range(0, w).Where(j => v[i * w + j] >= 0.5f).Select(j => data.ClassNames[j])));
                        break;
                    default:
                        names.Add(string.Join(';', Enumerable.Range(0, w).Select(j => v[i * w + j].ToString("R", CultureInfo.InvariantCulture))));
                        break;
                }
            }
        }
        return (names, classes.Count == names.Count ? classes : null);
    }

    private static string Csv(float[] codes, int n, int width, List<string>? labels)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', Enumerable.Range(1, width).Select(j => $"code_{j}"));
        if (labels is not null) sb.Append(",label");
        sb.Append('\n');
        for (int i = 0; i < n; i++)
        {
            sb.AppendJoin(',', codes.AsSpan(i * width, width).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            if (labels is not null) sb.Append(',').Append(PredictCommand.Field(labels[i]));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
