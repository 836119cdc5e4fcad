using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.IO;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla train --data pairs:PATH --source COL --target COL --model "seq2seq(…)"</c>: trains a
/// <see cref="Seq2SeqTransformer"/> with teacher forcing (cross-entropy over the target tokens, padding
/// ignored), reports token accuracy per epoch and, at the end, the test part's exact match with greedy
/// decoding that stops at end-of-sentence, and saves the model with its two vocabularies.
/// </summary>
/// <remarks>
/// Rows are split 80/20 with the seed as for <c>text:</c> data (<see cref="LabeledText.Split"/>), then
/// <c>--validation-split</c> of the training part is held out for val_loss; both vocabularies come from
/// the fitted rows only. The loop is its own rather than <c>Module.Fit</c>'s, whose samples are one input
/// tensor each: a step here feeds a source and a shifted target.
/// </remarks>
internal static class Seq2SeqTraining
{
    /// <summary>The model trained on pairs: data when no <c>--model</c> is given.</summary>
    public const string DefaultModel = "seq2seq(d=128,heads=4,layers=2)";

    // Defaults where the tabular ones do not suit: Adam at 5e-4 as for the transformer SPEC (post-norm attention
    // does not train at 1e-3 and above without warm-up), batches of 64, 10 epochs.
    public const float DefaultLearningRate = 5e-4f;
    public const int DefaultBatchSize = 64;
    public const int DefaultEpochs = 10;

    /// <summary>Rows decoded side by side when measuring exact match or generating.</summary>
    public const int DecodeBatch = 256;

    /// <summary>True when the run is sequence-to-sequence training (pairs: data or a seq2seq SPEC).</summary>
    public static bool Applies(ParseResult r, TrainOptions o) =>
        r.GetValue(o.Resume) is null && (PairsOptions.IsPairs(r.GetValue(o.Data)) || ModelBuilder.IsSeq2Seq(r.GetValue(o.Model)));

    public static int Run(CliContext ctx, ParseResult r, TrainOptions o, DistributedJob? job)
    {
        long start = Stopwatch.GetTimestamp();
        string data = r.GetValue(o.Data)!;
        string spec = r.GetValue(o.Model) ?? DefaultModel;
        NablaCommand.Require(PairsOptions.IsPairs(data), $"{spec} trains on pairs: data (--data pairs:PATH --source COLUMN --target COLUMN), not {data}");
        NablaCommand.Require(ModelBuilder.IsSeq2Seq(spec), $"pairs: data trains a sequence-to-sequence model, --model \"{DefaultModel}\" (the default), not {spec}");
        NablaCommand.Require(job is null, "--distributed does not train seq2seq models yet");
        Option[] unsupported = [o.Dropout, o.L1, o.L2, o.Patience, o.Label, o.LabelSeparator, o.Task, o.Plot, o.Diagnose, .. o.Schedule.All, .. o.Text.All];
        foreach (var option in unsupported)
            NablaCommand.Require(!TrainingSettings.IsGiven(r, option), $"{option.Name} does not apply to sequence-to-sequence training (pairs: data)");
        bool Given(Option option) => TrainingSettings.IsGiven(r, option);
        var s = new TrainingSettings
        {
            Data = data, Model = spec, Limit = r.GetValue(o.Limit), Optimizer = r.GetValue(o.Optimizer)!.ToLowerInvariant(),
            LearningRate = Given(o.LearningRate) ? r.GetValue(o.LearningRate) : DefaultLearningRate, Momentum = r.GetValue(o.Momentum),
            WeightDecay = r.GetValue(o.WeightDecay), BatchSize = Given(o.BatchSize) ? r.GetValue(o.BatchSize) : DefaultBatchSize,
            ValidationSplit = r.GetValue(o.ValidationSplit), Seed = r.GetValue(o.Seed), Threads = r.GetValue(o.Threads),
            Epochs = Given(o.Epochs) ? r.GetValue(o.Epochs) : DefaultEpochs,
            Delimiter = r.GetValue(o.Delimiter) is { } d ? TrainOptions.ParseDelimiter(d) : null,
        };
        TrainOptions.Validate(s);
        var tokens = o.Pairs.TokensOf(r);
        bool json = r.GetValue(o.Json);
        string path = PairsOptions.PathOf(data);
        string? outPath = r.GetValue(o.Out);
        if (outPath is not null) OutputPaths.Check([new NamedPath($"--data {data}", path)], [new NamedPath("--out", outPath)]);
        if (s.Threads is int threads) WorkerPool.MaxThreads = threads;

        var pairs = TextPairs.Read(path, r.GetValue(o.Pairs.Source), r.GetValue(o.Pairs.Target), s.Delimiter);
        foreach (var warning in pairs.Warnings) ctx.Err.WriteLine($"nabla: note: {warning}");
        var (trainRows, testRows) = LabeledText.Split(pairs.Count, new DataOptions { Seed = s.Seed, Limit = s.Limit });
        var (fitAt, valAt) = s.ValidationSplit > 0 && trainRows.Length >= 2
            ? Splits.TrainTestIndices(trainRows.Length, s.ValidationSplit, new Rng(s.Seed))
            : ([.. Enumerable.Range(0, trainRows.Length)], []);
        int[] fitRows = [.. fitAt.Select(i => trainRows[i])], valRows = [.. valAt.Select(i => trainRows[i])];

        var sourceVocabulary = SequenceVocabulary.Build(fitRows.Select(i => pairs.Sources[i]), tokens);
        var targetVocabulary = SequenceVocabulary.Build(fitRows.Select(i => pairs.Targets[i]), tokens);
        var rows = new Seq2SeqBatches([.. pairs.Sources.Select(sourceVocabulary.Encode)], [.. pairs.Targets.Select(targetVocabulary.Encode)]);
        int longestSource = rows.Sources.Max(x => x.Length), longestTarget = rows.Targets.Max(x => x.Length);
        // The positional table: twice the longest training sequence (start or end token included), so
        // generation may take somewhat longer inputs than training saw; max= in the SPEC overrides it.
        int table = Math.Max(32, 2 * Math.Max(longestSource, longestTarget + 1));
        spec = ModelBuilder.CompleteSeq2Seq(spec, sourceVocabulary.Count, targetVocabulary.Count, table);
        var model = ModelBuilder.BuildSeq2Seq(spec, new Rng(s.Seed));
        CheckLengths(pairs, rows, model.MaxLength, spec);
        int generateLength = GenerationLength(model.MaxLength, longestTarget);

        var optimizer = TrainCommand.CreateOptimizer(s, model);
        var loss = new CrossEntropyLoss();
        if (!json)
        {
            ctx.Out.WriteLine($"data {data}: {pairs.Count} pairs ({pairs.SourceColumn} → {pairs.TargetColumn}): {trainRows.Length} train ({fitRows.Length} fit, {valRows.Length} validation), {testRows.Length} test, seq2seq");
            ctx.Out.WriteLine($"tokens {SequenceVocabulary.Name(tokens)}: {sourceVocabulary.Count} source and {targetVocabulary.Count} target ids (4 special: padding, [UNK], [START], [END]); longest source {longestSource}, target {longestTarget}");
            ctx.Out.WriteLine($"model {spec}: {model.ParameterCount():N0} parameters, {s.Optimizer} lr {Numbers.Significant(s.LearningRate, 6)}");
        }

        var history = new List<Dictionary<string, double>>();
        var shuffle = new Rng(s.Seed + 1);
        int[] order = [.. fitRows];
        long fitStart = Stopwatch.GetTimestamp();
        double trainLoss = double.NaN;
        for (int epoch = 1; epoch <= s.Epochs; epoch++)
        {
            long epochStart = Stopwatch.GetTimestamp();
            model.Train();
            shuffle.Shuffle(order.AsSpan());
            double sum = 0;
            long seen = 0, right = 0;
            int batches = (order.Length + s.BatchSize - 1) / s.BatchSize;
            for (int b = 0; b < batches; b++)
            {
                var part = order.AsSpan(b * s.BatchSize, Math.Min(s.BatchSize, order.Length - b * s.BatchSize));
                using (TensorScope.Begin("seq2seq training step"))
                {
                    var (src, tin, tout) = rows.Make(part);
                    var logits = model.Forward(src, tin).Reshape(-1, model.TargetVocabulary);
                    var expected = tout.Reshape(-1);
                    var l = loss.Forward(logits, expected);
                    l.Backward();
                    float value = l.Item();
                    if (!float.IsFinite(value)) throw new TrainingDivergedException(epoch - 1, b, batches, value, (float)optimizer.LearningRate);
                    var (n, k) = Seq2SeqBatches.Count(logits, expected);
                    sum += value * n;
                    seen += n;
                    right += k;
                }
                optimizer.Step();
                optimizer.ZeroGrad();
            }
            trainLoss = sum / Math.Max(1, seen);
            var record = new Dictionary<string, double> { ["epoch"] = epoch, ["loss"] = trainLoss, ["accuracy"] = right / (double)Math.Max(1, seen) };
            if (valRows.Length > 0)
            {
                var (vl, va) = rows.Evaluate(model, valRows, DecodeBatch);
                record["val_loss"] = vl;
                record["val_accuracy"] = va;
            }
            record["lr"] = optimizer.LearningRate;
            record["seconds"] = Stopwatch.GetElapsedTime(epochStart).TotalSeconds;
            history.Add(record);
            if (json) JsonReport.WriteLine(ctx.Out, record.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)));
            else
            {
                ctx.Out.WriteLine(EpochLine(record, s.Epochs));
                ctx.Out.Flush();
            }
        }
        double fitSeconds = Stopwatch.GetElapsedTime(fitStart).TotalSeconds;

        var (testLoss, testAccuracy) = rows.Evaluate(model, testRows, DecodeBatch);
        var predictions = Generate(model, rows, testRows, generateLength, beam: 1);
        int exact = 0;
        for (int i = 0; i < testRows.Length; i++)
            if (targetVocabulary.Decode(predictions[i]) == targetVocabulary.Decode(rows.Targets[testRows[i]])) exact++;
        double exactMatch = exact / (double)testRows.Length;

        var extra = new Dictionary<string, string>(s.ToExtra(s.Epochs, optimizer.LearningRate))
        {
            ["source"] = pairs.SourceColumn, ["target"] = pairs.TargetColumn, ["tokens"] = SequenceVocabulary.Name(tokens),
            ["generate_length"] = generateLength.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var unused in new[] { "dropout", "l1", "l2", "patience" }) extra.Remove(unused); // options refused above
        var info = new ModelInfo
        {
            Architecture = spec, InputShape = [1, model.MaxLength], Task = "seq2seq", SourceVocabulary = sourceVocabulary,
            TargetVocabulary = targetVocabulary, HistoryJson = HistoryRecords.Serialize(history), Extra = extra,
        };
        if (outPath is not null) ModelFile.Save(outPath, model, info);

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var last = history[^1];
        var summary = new List<KeyValuePair<string, object?>>
        {
            new("command", "train"), new("data", data), new("task", "seq2seq"), new("architecture", spec),
            new("epochs", s.Epochs), new("epochs_run", history.Count), new("train_loss", trainLoss), new("train_token_accuracy", last["accuracy"]),
        };
        if (last.TryGetValue("val_loss", out var valLoss)) summary.Add(new("val_loss", valLoss));
        if (last.TryGetValue("val_accuracy", out var valAccuracy)) summary.Add(new("val_token_accuracy", valAccuracy));
        summary.Add(new("test_loss", testLoss));
        summary.Add(new("test_token_accuracy", testAccuracy));
        summary.Add(new("test_exact_match", exactMatch));
        summary.Add(new("seconds", seconds));
        summary.Add(new("samples_per_second", fitSeconds > 0 ? (double)fitRows.Length * s.Epochs / fitSeconds : 0));
        summary.Add(new("parameters", model.ParameterCount()));
        summary.Add(new("world_size", 1));
        summary.Add(new("model", outPath is null ? null : Path.GetFullPath(outPath)));
        if (json)
        {
            JsonReport.WriteLine(ctx.Out, summary);
            return NablaCommand.Ok;
        }
        ConsoleReport.Summary(ctx, "summary", summary.Where(kv => kv.Key != "command").Select(kv => new KeyValuePair<string, string>(kv.Key, TrainCommand.Text(kv.Value))));
        ctx.Out.WriteLine("test examples (greedy decoding, stops at end-of-sentence):");
        for (int i = 0; i < Math.Min(5, testRows.Length); i++)
        {
            string expected = targetVocabulary.Decode(rows.Targets[testRows[i]]), got = targetVocabulary.Decode(predictions[i]);
            ctx.Out.WriteLine($"  {Printable.Escape(pairs.Sources[testRows[i]])} → {Printable.Escape(got)}{(got == expected ? "" : $"   (expected {Printable.Escape(expected)})")}");
        }
        return NablaCommand.Ok;
    }

    /// <summary>The most tokens generation writes by default: the longest training target and half again, within the table.</summary>
    public static int GenerationLength(int table, int longestTarget) => Math.Min(table, longestTarget + 1 + Math.Max(4, longestTarget / 2));

    /// <summary>Decodes the rows <paramref name="rows"/> (greedy when <paramref name="beam"/> is 1, else beam search), each until its end token.</summary>
    public static int[][] Generate(Seq2SeqTransformer model, Seq2SeqBatches data, int[] rows, int maxLength, int beam)
    {
        model.Eval();
        var outputs = new int[rows.Length][];
        for (int b = 0; b < rows.Length; b += DecodeBatch)
        {
            using var scope = TensorScope.Begin("seq2seq decoding");
            var part = rows.AsSpan(b, Math.Min(DecodeBatch, rows.Length - b));
            var src = data.SourceIds(part);
            var decoded = beam > 1
                ? Decoding.BeamSearch(model.StartDecoding(src, maxLength, repeat: beam), beam, SequenceVocabulary.Start, SequenceVocabulary.End, maxLength)
                : Decoding.Greedy(model.StartDecoding(src, maxLength), SequenceVocabulary.Start, SequenceVocabulary.End, maxLength);
            decoded.CopyTo(outputs, b);
        }
        return outputs;
    }

    // Every pair must fit the positional table (only possible to miss with an explicit max=).
    private static void CheckLengths(TextPairs pairs, Seq2SeqBatches rows, int table, string spec)
    {
        for (int i = 0; i < pairs.Count; i++)
            if (rows.Sources[i].Length > table || rows.Targets[i].Length + 1 > table)
                throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                    $"line {pairs.Lines[i]}: a source of {rows.Sources[i].Length} and a target of {rows.Targets[i].Length} tokens (+1 for start/end) exceed the positional table of {table} positions of {spec}; raise max="));
    }

    private static string EpochLine(Dictionary<string, double> record, int epochs)
    {
        var parts = new List<string> { string.Create(CultureInfo.InvariantCulture, $"epoch {record["epoch"]}/{epochs}") };
        foreach (var (key, label) in new[] { ("loss", "loss"), ("accuracy", "token_acc"), ("val_loss", "val_loss"), ("val_accuracy", "val_token_acc") })
            if (record.TryGetValue(key, out var v) && double.IsFinite(v)) parts.Add($"{label} {ConsoleReport.F(v)}");
        parts.Add(record["seconds"].ToString("0.0", CultureInfo.InvariantCulture) + "s");
        return string.Join("  ", parts);
    }
}
