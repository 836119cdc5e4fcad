using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.IO;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Cli;

/// <summary><c>nabla train</c>: load data, build (or resume) a model, fit it, report test figures, save.</summary>
internal static class TrainCommand
{
    public static Command Create(CliContext ctx)
    {
        var o = new TrainOptions();
        var cmd = new Command("train", "Train a model on a data set and report test figures");
        foreach (var opt in o.All) cmd.Options.Add(opt);
        cmd.SetAction(r => Run(ctx, r, o));
        return cmd;
    }

    private static int Run(CliContext ctx, ParseResult r, TrainOptions o) => r.GetValue(o.Distributed)
        ? DistributedJob.Run(ctx, (rankContext, job) => Train(rankContext, r, o, job))
        : Train(ctx, r, o, null);

    // job: this process's part of an mpirun job (--distributed), or null.
    private static int Train(CliContext ctx, ParseResult r, TrainOptions o, DistributedJob? job)
    {
        if (Seq2SeqTraining.Applies(r, o)) return Seq2SeqTraining.Run(ctx, r, o, job);
        o.Pairs.CheckApplies(r, r.GetValue(o.Data)!);
        long start = Stopwatch.GetTimestamp();
        bool json = r.GetValue(o.Json);

        // A resumed run takes architecture, task, classes, standardization and every training setting
        // from the file, except what an option overrides (TrainingSettings says which may).
        string? resume = r.GetValue(o.Resume);
        var reuse = ReuseSettings.FromOptions(r, o);
        Sequential? resumed = null;
        ModelInfo? previous = null;
        List<Dictionary<string, double>> earlier = [];
        TrainingSettings s;
        if (resume is not null)
        {
            (resumed, previous) = NablaCommand.LoadModel(resume);
            ReuseSettings.CheckResume(resume, previous);
            earlier = HistoryRecords.Parse(previous.HistoryJson);
            s = TrainingSettings.Resume(r, o, resume, previous, earlier.Count);
        }
        else
        {
            s = TrainingSettings.FromOptions(r, o);
        }
        TrainOptions.Validate(s);
        reuse.Check(s);
        var transfer = reuse.From is { } from ? TransferBase.Load(from, reuse.DropLast) : null;
        if (transfer is not null) reuse = reuse with { BaseLayers = transfer.Layers.Count };
        var dataOptions = previous is not null
            ? SavedModelData.Options(previous, s.Seed, s.Limit, s.Label, s.LabelSeparator, s.Delimiter)
            : new DataOptions
            {
                Seed = s.Seed, Limit = s.Limit, Label = s.Label, LabelSeparator = s.LabelSeparator, Delimiter = s.Delimiter, Task = s.Task,
                ImagesAsChannels = transfer?.ImagesAsChannels ?? ModelPlan.IsConvolutional(s.Model), TextColumn = s.TextData?.Column, Vectorizer = s.TextData?.NewVectorizer(),
            };
        string? outPath = r.GetValue(o.Out);
        // Before anything is read or trained: no output may overwrite an input or another output, and each must be writable.
        // Under mpirun only rank 0 writes files (the others' machines need not have its directories).
        if (job is not { IsLeader: false }) CheckOutputs(s, dataOptions, resume, previous, outPath, r.GetValue(o.Plot), reuse);
        if (s.Threads is int threads) WorkerPool.MaxThreads = threads;
        else if (job is not null) WorkerPool.MaxThreads = DistributedJob.DefaultThreads;

        var data = DataSpec.Load(s.Data, dataOptions);
        if (reuse.Autoencode) data = AutoencodeTask.Convert(data);
        reuse.Check(data);
        transfer?.Check(data);
        if (previous is not null) SavedModelData.Check(resume!, previous, data);
        else CheckApplies(s, data);
        foreach (var warning in data.Warnings) ctx.Err.WriteLine($"nabla: note: {warning}");
        var (trainRaw, valRaw) = Preparation.HoldOut(data.Train, s.ValidationSplit, s.Seed);
        // A new model's vocabulary comes from the rows it fits (not the validation rows), as standardization does.
        var vectorizer = previous?.Vectorizer;
        if (previous is null && s.TextData is { } textSettings && trainRaw is TextDataset fitTexts)
        {
            vectorizer = textSettings.NewVectorizer();
            vectorizer.Adapt(fitTexts.Texts!);
        }
        string spec = previous?.Architecture ?? reuse.Spec(s, TrainingSettings.IsGiven(r, o.Model), data, transfer, vectorizer?.Vocabulary.Count, s.TextData?.EmbeddingStd);
        var info = previous ?? (Describe(data, spec, trainRaw, s.LabelSeparator) with { Vectorizer = vectorizer, TextColumn = data.TextColumn });
        if (transfer is not null) info = transfer.Adopt(info);
        var train = Preparation.Apply(trainRaw, info);
        var validation = valRaw is null ? null : Preparation.Apply(valRaw, info);
        var test = Preparation.Apply(data.Test, info);
        if (train is Dataset td) { Preparation.CheckFinite(td.X, s.Data); Preparation.CheckFinite(td.Y, s.Data); }

        var model = resumed ?? transfer?.Build(spec, new Rng(s.Seed)) ?? ModelBuilder.Build(ModelSpec.Parse(spec), new Shape([1, .. data.SampleShape]), new Rng(s.Seed));
        var groups = resumed is not null ? TransferBase.Resume(resumed, resume!, previous!, s.LearningRate, s.WeightDecay > 0)
            : transfer?.Prepare(model, reuse.Freeze, reuse.BaseLrScale, s.LearningRate, s.WeightDecay > 0);
        string? embeddingsReport = s.TextData is { } text && vectorizer is not null ? TextModel.Prepare(model, text, vectorizer, resumed is null, s.Seed) : null;
        model.Train();
        var optimizer = CreateOptimizer(s, model, groups);
        bool stateRestored = resume is not null && OptimizerState.Restore(resume, previous!, optimizer, s.Optimizer, model);
        var loss = ModelPlan.LossFor(data.Task);
        // Penalties act on the weights (ParameterRole.Weight): never biases or BatchNorm's γ and β.
        if (s.L1 > 0 || s.L2 > 0) loss = new RegularizedLoss(loss, model, s.L1, s.L2);

        int batch = s.BatchSize;
        int firstEpoch = earlier.Count, totalEpochs = firstEpoch + s.Epochs;
        job?.RequireSameSettings(new Dictionary<string, string>(s.ToExtra(totalEpochs, optimizer.LearningRate))
        {
            ["architecture"] = spec, ["rows"] = $"{train.Count} {validation?.Count ?? 0} {data.Test.Count}",
            ["epochs_done"] = $"{firstEpoch}", ["optimizer_state"] = $"{stateRestored}",
        });
        // Under mpirun each process trains its shard of every batch; DistributedDataParallel averages the gradients.
        Module trained = job?.Wrap(model, optimizer) ?? model;
        Metric[] metrics = data.Task switch
        {
            TaskKind.MultiClass => [new Accuracy()],
            TaskKind.Binary => [new Accuracy(threshold: 0f)], // logits: σ(z) ≥ 0.5 ⇔ z ≥ 0
            _ => [],
        };
        var progress = new ProgressCallback(every: 4);
        // A loss 10⁴ times its first value (at least 1, about what a model that knows nothing scores on
        // these losses) is divergence even before it reaches NaN or infinity.
        var callbacks = new List<Callback> { progress, new TerminateOnDivergence(factor: 1e4, floor: 1) };
        EarlyStopping? earlyStopping = s.Patience > 0 && validation is not null ? new EarlyStopping(patience: s.Patience, restoreBestWeights: true) : null;
        if (earlyStopping is not null) callbacks.Add(earlyStopping);
        var diagnostics = r.GetValue(o.Diagnose) ? new Diagnostics() : null;
        if (diagnostics is not null) callbacks.Add(diagnostics);
        if (s.Schedule.Attach(optimizer, firstEpoch, totalEpochs, earlier, validation is not null) is { } scheduler) callbacks.Add(scheduler);
        // Earlier runs' records (when resuming) followed by this run's epochs so far.
        List<Dictionary<string, double>> Records(IEnumerable<EpochLogs> epochs) =>
            [.. earlier.Concat(epochs.Select(e => HistoryRecords.Fields(e, firstEpoch)))];
        // Everything the file holds besides the weights, for the epochs run so far.
        ModelInfo Finished(IEnumerable<EpochLogs> epochs)
        {
            var done = info;
            if (data.Task == TaskKind.MultiLabel)
            {
                // θ per label tuned for F1 on validation data (training data when there is none), in probability units;
                // labels with few validation positives take the shared θ, as a θ fitted to one or two rows does not carry over.
                var tuneOn = validation ?? train;
                var scores = Assessment.Probabilities(model.Predict(new DataLoader(tuneOn, batch)), data.Task);
                done = done with { Thresholds = [.. DecisionThresholds.Tune(scores, Preparation.All(tuneOn).Y, minPositives: ThresholdMinPositives).Values] };
            }
            var extra = new Dictionary<string, string>(info.Extra);
            foreach (var (k, v) in s.ToExtra(totalEpochs, optimizer.LearningRate)) extra[k] = v;
            foreach (var (k, v) in reuse.ToExtra()) extra[k] = v;
            return done with { HistoryJson = HistoryRecords.Serialize(Records(epochs)), Extra = extra };
        }
        // The model and the optimizer state as one checkpoint whose two files always match (Checkpoint).
        void SaveModel(string path, ModelInfo saved) => OptimizerState.Save(path, model, saved, optimizer, s.Optimizer);
        ModelCheckpoint? checkpoint = null;
        if (outPath is not null && validation is not null && job is not { IsLeader: false })
        {
            // Each val_loss improvement replaces FILE (atomically), so an interrupted run keeps the best model so far;
            // a finished run overwrites it below with the final model, as without validation data (with --patience the
            // best epoch's checkpoint is the final model).
            checkpoint = new ModelCheckpoint("val_loss", save: (_, _, _) => SaveModel(outPath, Finished(checkpoint!.Context!.History.Epochs)));
            callbacks.Add(checkpoint);
        }
        if (json) progress.EpochEnd += (logs, _) => JsonReport.WriteLine(ctx.Out, HistoryRecords.Fields(logs, firstEpoch).Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)));
        else if (!ctx.Terminal) progress.EpochEnd += (logs, _) => { ctx.Out.WriteLine(ConsoleReport.EpochLine(logs, firstEpoch + logs.Epoch + 1, totalEpochs)); ctx.Out.Flush(); };

        if (!json) ctx.Out.WriteLine($"data {data.Name}: {data.Train.Count} train ({train.Count} fit, {validation?.Count ?? 0} validation), {data.Test.Count} test, {reuse.TaskName(data.Task)}{(data.ClassNames.Count > 0 ? $", {data.ClassNames.Count} classes" : "")}");
        if (!json && vectorizer is not null) ctx.Out.WriteLine($"text {TextModel.Describe(vectorizer, info.TextColumn)}");
        if (!json && embeddingsReport is not null) ctx.Out.WriteLine(embeddingsReport);
        if (!json) ctx.Out.WriteLine($"model {spec}: {model.ParameterCount():N0} parameters, {s.Optimizer} lr {Numbers.Significant(optimizer.LearningRate, 6)}{s.Schedule.Describe(totalEpochs)}{Resumed(resume, previous, firstEpoch, stateRestored)}{reuse.Describe(model)}{(job is null ? "" : $", {job.WorldSize} processes")}");
        if (reuse.PretrainEpochs > 0) LayerwiseStep.Run(ctx, json, model, train, s, reuse.PretrainEpochs);
        // Epoch e's order is the (e+1)-th shuffle of a generator seeded from --seed: a resumed run replays the
        // shuffles of the epochs already done, so it sees the orders an uninterrupted run would.
        var trainSource = new DataLoader(AutoencodeTask.WithNoise(train, reuse.Noise, data.IsImage, s.Seed), batch, shuffle: true, rng: new Rng(s.Seed + 1), shard: job?.Shard);
        for (int e = 0; e < firstEpoch; e++) trainSource.StartEpoch();
        var valSource = validation is null ? null : new DataLoader(validation, batch, shard: job?.Shard);
        long fitStart = Stopwatch.GetTimestamp();
        History history = DiagnosticsReport.OnDivergence(ctx, json, diagnostics, firstEpoch, () => ctx.Console is { } console && !json
            ? ConsoleReport.WithProgressBars(console, progress, firstEpoch, totalEpochs, () => trained.Fit(trainSource, optimizer, loss, s.Epochs, valSource, metrics, callbacks))
            : trained.Fit(trainSource, optimizer, loss, s.Epochs, valSource, metrics, callbacks));
        double fitSeconds = Stopwatch.GetElapsedTime(fitStart).TotalSeconds;
        if (job is { IsLeader: false }) return NablaCommand.Ok; // rank 0 evaluates, saves and reports

        info = Finished(history.Epochs);
        var all = Records(history.Epochs);
        var assessment = Assessment.Run(model, test, data.Task, info, batch);
        // With --patience the best epoch's weights were restored, and the checkpoint written at that epoch already holds
        // them with the optimizer state and history of that moment: the file stays that consistent snapshot.
        bool checkpointIsFinal = earlyStopping is not null && checkpoint is not null;
        if (outPath is not null && !checkpointIsFinal) SaveModel(outPath, info);
        if (reuse.Reconstructions is { } png) AutoencodeTask.SaveReconstructions(png, model, test, info, reuse.Noise, s.Seed);
        if (r.GetValue(o.Plot) is { } plot) NablaCommand.WriteAtomically(plot, Plot.Render(all, diagnostics is null ? null : DiagnosticsReport.Panels(diagnostics, firstEpoch)));

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long samples = (long)train.Count * history.Epochs.Count;
        var last = history.Epochs[^1];
        var summary = new List<KeyValuePair<string, object?>>
        {
            new("command", "train"), new("data", data.Name), new("task", reuse.TaskName(data.Task)), new("architecture", spec),
            new("epochs", totalEpochs), new("epochs_run", history.Epochs.Count), new("train_loss", last.Loss),
        };
        if (last.TryGetValue("val_loss", out var vl)) summary.Add(new("val_loss", vl));
        if (last.TryGetValue("val_accuracy", out var va)) summary.Add(new("val_accuracy", va));
        foreach (var (k, v) in assessment.Figures) summary.Add(new(k, v));
        summary.Add(new("seconds", seconds));
        summary.Add(new("samples_per_second", fitSeconds > 0 ? samples / fitSeconds : 0));
        summary.Add(new("parameters", model.ParameterCount()));
        summary.Add(new("world_size", job?.WorldSize ?? 1));
        summary.Add(new("model", outPath is null ? null : Path.GetFullPath(outPath)));
        if (json)
        {
            if (diagnostics is not null) summary.Add(new("diagnostics", DiagnosticsReport.Json(diagnostics, firstEpoch)));
            JsonReport.WriteLine(ctx.Out, summary);
            return NablaCommand.Ok;
        }
        ConsoleReport.Summary(ctx, "summary", summary.Where(kv => kv.Key != "command").Select(kv => new KeyValuePair<string, string>(kv.Key, Text(kv.Value))));
        if (assessment.Confusion is { } cm) ConsoleReport.Confusion(ctx, cm, data.ClassNames);
        if (diagnostics is not null) DiagnosticsReport.Write(ctx.Out, diagnostics, firstEpoch);
        return NablaCommand.Ok;
    }

    /// <summary>Fewest validation positives for a label to get its own decision threshold (else the shared, micro-F1 one).</summary>
    internal const int ThresholdMinPositives = 10;

    /// <summary>The optimizer the settings name, over <paramref name="model"/>'s parameters.</summary>
    /// <param name="s">The run's settings.</param>
    /// <param name="model">The model trained.</param>
    /// <param name="groups">Parameter groups of their own (transfer learning's slower base), else null.</param>
    internal static Optimizer CreateOptimizer(TrainingSettings s, Module model, ParameterGroup[]? groups = null)
    {
        // Like --l1 and --l2, --weight-decay acts on the weights only: biases and BatchNorm's γ, β get λ = 0.
        ParameterGroup[] p = groups ?? (s.WeightDecay > 0 ? ParameterGroup.DecayWeightsOnly(model) : [new ParameterGroup(model.Parameters())]);
        return s.Optimizer switch
        {
            "sgd" => new SGD(p, s.LearningRate, momentum: s.Momentum, weightDecay: s.WeightDecay),
            "adamw" => new AdamW(p, s.LearningRate, weightDecay: s.WeightDecay),
            "rmsprop" => new RMSprop(p, s.LearningRate, weightDecay: s.WeightDecay, momentum: s.Momentum),
            "adagrad" => new Adagrad(p, s.LearningRate, weightDecay: s.WeightDecay),
            "sparseadam" => new SparseAdam(model.Parameters(), s.LearningRate),
            _ => new Adam(p, s.LearningRate, weightDecay: s.WeightDecay),
        };
    }

    private static string Resumed(string? resume, ModelInfo? previous, int epochs, bool stateRestored) => resume is null ? ""
        : $", resumed from {resume} after {epochs} epochs{(stateRestored ? "" : $" (no {Path.GetFileName(Checkpoint.StatePath(resume, previous!))}: the optimizer state starts afresh)")}";

    /// <summary>The output checks of <see cref="OutputPaths"/> for <c>--out</c> and <c>--plot</c> against the data files and the resumed model.</summary>
    private static void CheckOutputs(TrainingSettings s, DataOptions dataOptions, string? resume, ModelInfo? previous, string? outPath, string? plot, ReuseSettings reuse)
    {
        var inputs = DataSpec.InputFiles(s.Data, dataOptions).Select(f => new NamedPath($"--data {s.Data}", f)).ToList();
        if (reuse.From is not null) inputs.Add(new NamedPath("--from", reuse.From));
        if (resume is not null)
        {
            inputs.Add(new NamedPath("--resume", resume));
            inputs.Add(new NamedPath("optimizer state", Checkpoint.StatePath(resume, previous!)));
        }
        var outputs = new List<NamedPath>();
        if (outPath is not null) outputs.Add(new NamedPath("--out", outPath));
        if (plot is not null) outputs.Add(new NamedPath("--plot", plot));
        if (reuse.Reconstructions is not null) outputs.Add(new NamedPath("--reconstructions", reuse.Reconstructions));
        // --resume FILE --out FILE continues the model in place: the save replaces it only after reading it.
        OutputPaths.Check(inputs, outputs, (input, output) => input.Option == "--resume" && output.Option == "--out");
    }

    // Options that only some data can use are refused where they would be silently ignored.
    private static void CheckApplies(TrainingSettings s, LoadedData data)
    {
        NablaCommand.Require(s.Label is null || data.LabelColumns.Count > 0, $"--label applies to csv: data, not {data.Name}");
        NablaCommand.Require(s.LabelSeparator is null || data.LabelColumns.Count > 0, $"--label-separator applies to csv: data, not {data.Name}");
        NablaCommand.Require(s.Delimiter is null || data.LabelColumns.Count > 0, $"--delimiter applies to csv: data, not {data.Name}");
        NablaCommand.Require(s.Task is null || s.Task == data.Task, $"--task {s.Task?.ToName()} does not apply to {data.Name}, whose task is {data.Task.ToName()}");
    }

    private static ModelInfo Describe(LoadedData data, string spec, IDataset fitRows, string? labelSeparator)
    {
        float[] mean = [], std = [], tMean = [], tStd = [];
        if (!data.IsImage && data.Vectorizer is null)
        {
            var (x, y) = Preparation.All(fitRows);
            (mean, std) = Preparation.Statistics(x);
            if (data.Task == TaskKind.Regression) (tMean, tStd) = Preparation.Statistics(y.Rank == 1 ? y.Reshape(y.Shape[0], 1) : y);
        }
        return new ModelInfo
        {
            Architecture = spec, InputShape = [1, .. data.SampleShape], Task = data.Task.ToName(), Classes = data.ClassNames,
            LabelColumns = data.LabelColumns, LabelSeparator = data.LabelColumns.Count > 0 ? labelSeparator : null,
            Thresholds = data.Task == TaskKind.Binary ? [0.5f] : [], InputMean = mean, InputStd = std,
            InputScale = data.IsImage ? 1f / 255 : 1f, TargetMean = tMean, TargetStd = tStd,
        };
    }

    internal static string Text(object? v) => v switch
    {
        null => "-",
        double d => ConsoleReport.F(d),
        float f => ConsoleReport.F(f),
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        int n => n.ToString(CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
