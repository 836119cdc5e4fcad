using System.CommandLine;
using System.Globalization;
using System.Text;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.IO;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla predict --model FILE --input FILE.csv [--output FILE.csv]</c>. The input has the
/// model's feature columns (a header is optional) or, for a model of text, a CSV/TSV with a header
/// and the text column it was trained on (other columns are ignored; any text, even empty or made
/// only of unknown words, gets a prediction); a label column the model was trained with may
/// be present and is dropped after checking its values are known classes. Output columns:
/// multi-class <c>class,p_NAME…</c>; binary <c>label,probability</c>; multi-label
/// <c>labels,p_NAME…</c> (labels joined by ';'); regression <c>value</c> (or <c>value_i</c>).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file written by nabla train --out", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "CSV of input rows", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write predictions here (atomically) instead of stdout" };
        var delimiter = new Option<string?>("--delimiter") { Description = "Field separator of the input: a character such as ';', or tab (default: tab for .tsv and .tab files, else ',')" };
        var cmd = new Command("predict", "Predict with a saved model") { model, input, output, delimiter };
        cmd.SetAction(r =>
        {
            string modelPath = r.GetValue(model)!, inputPath = r.GetValue(input)!;
            if (r.GetValue(output) is { } target)
                OutputPaths.Check([new("--model", modelPath), new("--input", inputPath)], [new("--output", target)]);
            var (net, info) = NablaCommand.LoadModel(modelPath);
            var task = TaskKinds.Parse(info.Task);
            char? given = r.GetValue(delimiter) is { } d ? TrainOptions.ParseDelimiter(d) : null;
            var raw = info.Vectorizer is not null
                ? net.Predict(new DataLoader(TextModel.ReadInputs(inputPath, info, given), 256))
                : net.Predict(Preparation.Standardize(ReadInputs(inputPath, info, given ?? CsvReader.DefaultDelimiter(inputPath)), info.InputMean, info.InputStd, info.InputScale), 256);
            string csv = Format(raw, task, info);
            if (r.GetValue(output) is { } path) NablaCommand.WriteAtomically(path, csv);
            else ctx.Out.Write(csv);
            return NablaCommand.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The input rows as [N, …input shape], validating columns, numbers and labels. Label columns the
    /// model was trained with (by header name; by index in a file without header that has exactly
    /// the training file's columns) are checked against the known classes and dropped.
    /// </summary>
    internal static Tensor ReadInputs(string path, ModelInfo info, char delimiter = ',')
    {
        var cells = LabeledCsv.ReadCells(path, delimiter);
        int features = info.InputShape.Skip(1).Aggregate(1, (a, b) => a * b);
        var labelNames = info.LabelColumns;
        int[] labelCols = cells.Header is not null
            ? [.. labelNames.Select(n => Array.IndexOf(cells.Header, n)).Where(i => i >= 0)]
            : cells.Columns == features + labelNames.Count && labelNames.All(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < cells.Columns)
                ? [.. labelNames.Select(n => int.Parse(n, CultureInfo.InvariantCulture))]
                : [];
        // One label column holds a class, or labels joined by the separator; a multi-label model without one has 0/1 columns instead.
        bool named = info.Task is "multiclass" or "binary" || (info.Task == "multilabel" && info.LabelSeparator is not null);
        if (labelCols.Length == 1 && info.Classes.Count > 0 && named)
        {
            int c = labelCols[0];
            string column = cells.Header?[c] ?? c.ToString(CultureInfo.InvariantCulture);
            for (int row = 0; row < cells.Rows.Count; row++)
            {
                string v = cells.Rows[row][c];
                var values = info.Task == "multilabel" ? v.Split(info.LabelSeparator!, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [v];
                foreach (var value in values)
                    if (LabeledCsv.IndexOfClass(info.Classes, value, numeric: true) < 0)
                        throw new DataFormatException($"{path}:{cells.Lines[row]}:{c + 1}: unknown label {Printable.Quote(value)} in column {Printable.Quote(column)} (the model knows {string.Join(", ", info.Classes)})");
            }
        }
        var featureCols = Enumerable.Range(0, cells.Columns).Where(c => !labelCols.Contains(c)).ToArray();
        if (featureCols.Length != features)
            throw new UsageException($"{path} has {featureCols.Length} input columns, the model expects {features} input features");
        var x = LabeledCsv.Features(path, cells, featureCols);
        return x.Reshape([cells.Rows.Count, .. info.InputShape[1..]]);
    }

    /// <summary>The predictions as CSV text.</summary>
    internal static string Format(Tensor raw, TaskKind task, ModelInfo info)
    {
        var sb = new StringBuilder();
        int n = raw.Shape[0], width = raw.Numel / Math.Max(1, n);
        string G(float v) => Numbers.Significant(v, 6);
        // Class names may hold commas or quotes: written as RFC 4180 fields so the output stays a table.
        string Raw(int j) => j < info.Classes.Count ? info.Classes[j] : j.ToString(CultureInfo.InvariantCulture);
        string Name(int j) => Field(Raw(j));
        switch (task)
        {
            case TaskKind.MultiClass:
            {
                var p = Assessment.Probabilities(raw, task).ToArray();
                sb.Append("class,").AppendJoin(',', Enumerable.Range(0, width).Select(j => Field("p_" + Raw(j)))).Append('\n');
                for (int i = 0; i < n; i++)
                {
                    var row = p.AsSpan(i * width, width);
                    int best = 0;
                    for (int j = 1; j < width; j++) if (row[j] > row[best]) best = j;
                    sb.Append(Name(best)).Append(',').AppendJoin(',', row.ToArray().Select(G)).Append('\n');
                }
                break;
            }
            case TaskKind.Binary:
            {
                var p = Assessment.Probabilities(raw, task).ToArray();
                float theta = info.Thresholds.Count > 0 ? info.Thresholds[0] : 0.5f;
                sb.Append("label,probability\n");
                foreach (var v in p) sb.Append(Name(v >= theta ? 1 : 0)).Append(',').Append(G(v)).Append('\n');
                break;
            }
            case TaskKind.MultiLabel:
            {
                var p = Assessment.Probabilities(raw, task).ToArray();
                sb.Append("labels,").AppendJoin(',', Enumerable.Range(0, width).Select(j => Field("p_" + Raw(j)))).Append('\n');
                for (int i = 0; i < n; i++)
                {
                    var on = Enumerable.Range(0, width).Where(j => p[i * width + j] >= (info.Thresholds.Count == width ? info.Thresholds[j] : 0.5f));
                    sb.Append(Field(string.Join(';', on.Select(Raw)))).Append(',').AppendJoin(',', p.AsSpan(i * width, width).ToArray().Select(G)).Append('\n');
                }
                break;
            }
            default:
            {
                var v = Preparation.Destandardize(raw, info.TargetMean, info.TargetStd).ToArray();
                sb.Append(width == 1 ? "value" : string.Join(',', Enumerable.Range(0, width).Select(j => $"value_{j}"))).Append('\n');
                for (int i = 0; i < n; i++) sb.AppendJoin(',', v.AsSpan(i * width, width).ToArray().Select(G)).Append('\n');
                break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A CSV field: quoted, with quotes doubled, when it holds a comma, a quote or a line break (RFC 4180).</summary>
    internal static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
