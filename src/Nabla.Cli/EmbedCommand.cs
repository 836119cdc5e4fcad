using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.Kernels;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla embed --data text:PATH --text COLUMN --dim 100 --out vectors.txt</c>: trains word vectors
/// (skip-gram with negative sampling, word2vec's defaults) on the texts of one or more files, for
/// <c>nabla train --embeddings</c>. <c>--train-data SPEC</c> reads only the training part of a file's
/// seeded split — the rows <c>nabla train --data SPEC --seed N</c> trains on — so its test rows stay unseen.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create(CliContext ctx)
    {
        var defaults = new SkipGramOptions();
        var data = new Option<string[]>("--data", "-d") { Description = "text:PATH (CSV/TSV with a header); repeat for several files", AllowMultipleArgumentsPerToken = false };
        var trainData = new Option<string[]>("--train-data") { Description = "text:PATH of which only the training part of the seeded 80/20 split is read (as nabla train --seed N splits it); repeatable" };
        var text = new Option<string>("--text") { Description = "The column holding the texts; several names separated by commas: each file uses the first it has", Required = true };
        var dim = new Option<int>("--dim") { Description = "Size of each vector", DefaultValueFactory = _ => defaults.Dimension };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Passes over the texts", DefaultValueFactory = _ => defaults.Epochs };
        var window = new Option<int>("--window") { Description = "Largest distance between a word and its context words", DefaultValueFactory = _ => defaults.Window };
        var negative = new Option<int>("--negative") { Description = "Negative samples per pair", DefaultValueFactory = _ => defaults.Negative };
        var minCount = new Option<int>("--min-count") { Description = "Fewest occurrences for a word to get a vector", DefaultValueFactory = _ => defaults.MinCount };
        var lr = new Option<float>("--lr") { Description = "Starting learning rate (decays linearly)", DefaultValueFactory = _ => defaults.LearningRate };
        var stopwords = new Option<string?>("--stopwords") { Description = "'english' drops English stop words" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split (--train-data) and of the training", DefaultValueFactory = _ => 0UL };
        var threads = new Option<int?>("--threads") { Description = "Worker threads (the vectors depend on the seed and this number only)" };
        var output = new Option<string>("--out", "-o") { Description = "Write the vectors here (word2vec text format with a header line; .gz compresses)", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per epoch and a final summary object" };
        var cmd = new Command("embed", "Train word vectors (skip-gram) on texts, for train --embeddings")
        {
            data, trainData, text, dim, epochs, window, negative, minCount, lr, stopwords, seed, threads, output, json,
        };
        cmd.SetAction(r =>
        {
            long start = Stopwatch.GetTimestamp();
            string[] full = r.GetValue(data) ?? [], part = r.GetValue(trainData) ?? [];
            NablaCommand.Require(full.Length + part.Length > 0, "nabla embed needs texts: --data text:PATH and/or --train-data text:PATH");
            NablaCommand.Require(r.GetValue(threads) is null or >= 1, $"--threads must be at least 1, got {r.GetValue(threads)}");
            var options = new SkipGramOptions
            {
                Dimension = r.GetValue(dim), Epochs = r.GetValue(epochs), Window = r.GetValue(window), Negative = r.GetValue(negative),
                MinCount = r.GetValue(minCount), LearningRate = r.GetValue(lr), RemoveStopWords = TextOptions.ParseStopWords(r.GetValue(stopwords)),
                Seed = r.GetValue(seed),
            };
            Validate(options);
            if (r.GetValue(threads) is int t) WorkerPool.MaxThreads = t;
            string[] columns = [.. r.GetValue(text)!.Split(',').Select(c => c.Trim()).Where(c => c.Length > 0)];
            NablaCommand.Require(columns.Length > 0, "--text must name the column holding the texts");

            var texts = new List<string>();
            var sources = new List<string>();
            foreach (var (spec, trainOnly) in full.Select(s => (s, false)).Concat(part.Select(s => (s, true))))
            {
                string path = PathOf(spec, trainOnly);
                var table = TextTable.Read(path);
                var header = table.Header!;
                string column = columns.FirstOrDefault(c => header.Contains(c, StringComparer.Ordinal))
                    ?? throw new DataSpecException($"{path}: no text column {string.Join(" or ", columns.Select(c => $"'{c}'"))} (columns: {string.Join(", ", header)})");
                var rows = LabeledText.Texts(table, path, column);
                if (trainOnly)
                {
                    var (train, _) = LabeledText.Split(rows.Length, new DataOptions { Seed = options.Seed });
                    rows = [.. train.Order().Select(i => rows[i])];
                }
                texts.AddRange(rows);
                sources.Add($"{path} ({column}{(trainOnly ? ", training part" : "")}: {rows.Length:N0} texts)");
            }
            bool quiet = r.GetValue(json);
            if (!quiet) ctx.Out.WriteLine($"texts {string.Join("; ", sources)}");
            var vectors = SkipGram.Train(texts, options, (epoch, loss) =>
            {
                if (quiet) JsonReport.WriteLine(ctx.Out, [new("epoch", epoch), new("loss", loss)]);
                else ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{options.Epochs}  loss {loss:F4}"));
                ctx.Out.Flush();
            });
            string outPath = r.GetValue(output)!;
            vectors.Save(outPath);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var summary = new List<KeyValuePair<string, object?>>
            {
                new("command", "embed"), new("texts", texts.Count), new("words", vectors.Count), new("dimension", vectors.Dimension),
                new("epochs", options.Epochs), new("seconds", seconds), new("vectors", Path.GetFullPath(outPath)),
            };
            if (quiet) JsonReport.WriteLine(ctx.Out, summary);
            else ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {vectors.Count:N0} vectors of {vectors.Dimension} to {outPath} in {seconds:F1} s"));
            return NablaCommand.Ok;
        });
        return cmd;
    }

    private static string PathOf(string spec, bool trainOnly)
    {
        string s = spec.Trim();
        NablaCommand.Require(TextOptions.IsText(s) && s.Length > 5, $"{(trainOnly ? "--train-data" : "--data")} takes text:PATH (a CSV or TSV file with a header), got '{spec}'");
        return s[5..];
    }

    private static void Validate(SkipGramOptions o)
    {
        NablaCommand.Require(o.Dimension >= 1, $"--dim must be at least 1, got {o.Dimension}");
        NablaCommand.Require(o.Epochs >= 1, $"--epochs must be at least 1, got {o.Epochs}");
        NablaCommand.Require(o.Window >= 1, $"--window must be at least 1, got {o.Window}");
        NablaCommand.Require(o.Negative >= 0, $"--negative must be 0 or more, got {o.Negative}");
        NablaCommand.Require(o.MinCount >= 1, $"--min-count must be at least 1, got {o.MinCount}");
        NablaCommand.Require(o.LearningRate > 0 && float.IsFinite(o.LearningRate), $"--lr must be a positive number, got {o.LearningRate}");
    }
}
