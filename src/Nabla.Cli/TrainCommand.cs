using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Autograd;
using Nabla.Data;
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

    private static int Run(CliContext ctx, ParseResult r, TrainOptions o)
    {
        TrainOptions.Validate(r, o);
        if (r.GetValue(o.Threads) is int threads) WorkerPool.MaxThreads = threads;
        long start = Stopwatch.GetTimestamp();
        bool json = r.GetValue(o.Json);
        ulong seed = r.GetValue(o.Seed);
        string dataSpec = r.GetValue(o.Data)!;

        // A resumed run takes architecture, task, classes and standardization from the file.
        string? resume = r.GetValue(o.Resume);
        Sequential? resumed = null;
        ModelInfo? previous = null;
        if (resume is not null) (resumed, previous) = NablaCommand.LoadModel(resume);
        string hidden = r.GetValue(o.Model) ?? ModelPlan.DefaultHidden;
        TaskKind? task = r.GetValue(o.Task) is { } t ? TaskKinds.Parse(t) : previous is null ? null : TaskKinds.Parse(previous.Task);
        var data = DataSpec.Load(dataSpec, new DataOptions
        {
            Seed = seed, Limit = r.GetValue(o.Limit), Label = r.GetValue(o.Label), LabelSeparator = r.GetValue(o.LabelSeparator), Task = task,
            ImagesAsChannels = ModelPlan.IsConvolutional(previous?.Architecture ?? hidden),
            KnownClasses = previous is { Classes.Count: > 0 } ? previous.Classes : null,
        });
        string spec = previous?.Architecture ?? ModelPlan.Complete(hidden, data.Outputs, r.GetValue(o.Dropout));
        var (trainRaw, valRaw) = Preparation.HoldOut(data.Train, r.GetValue(o.ValidationSplit), seed);
        var info = previous ?? Describe(data, spec, trainRaw);
        var train = Preparation.Apply(trainRaw, info);
        var validation = valRaw is null ? null : Preparation.Apply(valRaw, info);
        var test = Preparation.Apply(data.Test, info);
        if (train is Dataset td) { Preparation.CheckFinite(td.X, dataSpec); Preparation.CheckFinite(td.Y, dataSpec); }

        var inputShape = new Shape([1, .. data.SampleShape]);
        if (previous is not null && !previous.InputShape.SequenceEqual(inputShape.ToArray()))
            throw new ArgumentException($"{resume} expects inputs [{string.Join(", ", previous.InputShape)}], the data has [{string.Join(", ", inputShape.ToArray())}]");
        var model = resumed ?? ModelBuilder.Build(ModelSpec.Parse(spec), inputShape, new Rng(seed));
        model.Train();
        string optimizerName = r.GetValue(o.Optimizer)!.ToLowerInvariant();
        var optimizer = CreateOptimizer(optimizerName, model, r, o);
        if (resume is not null && File.Exists(OptimizerFile(resume)))
            LoadOptimizerState(optimizer, model, Safetensors.Load(OptimizerFile(resume)).Tensors);
        var loss = ModelPlan.LossFor(data.Task);
        // Penalties act on the weights (ParameterRole.Weight): never biases or BatchNorm's γ and β.
        if (r.GetValue(o.L1) > 0 || r.GetValue(o.L2) > 0) loss = new RegularizedLoss(loss, model, r.GetValue(o.L1), r.GetValue(o.L2));

        int batch = r.GetValue(o.BatchSize), epochs = r.GetValue(o.Epochs);
        var earlier = HistoryRecords.Parse(previous?.HistoryJson);
        int firstEpoch = earlier.Count, totalEpochs = firstEpoch + epochs;
        Metric[] metrics = data.Task switch
        {
            TaskKind.MultiClass => [new Accuracy()],
            TaskKind.Binary => [new Accuracy(threshold: 0f)], // logits: σ(z) ≥ 0.5 ⇔ z ≥ 0
            _ => [],
        };
        var progress = new ProgressCallback(every: 4);
        var callbacks = new List<Callback> { progress };
        if (r.GetValue(o.Patience) > 0 && validation is not null) callbacks.Add(new EarlyStopping(patience: r.GetValue(o.Patience), restoreBestWeights: true));
        string? outPath = r.GetValue(o.Out);
        var extra = Extras(info, dataSpec, optimizerName, r, o, totalEpochs);
        // Earlier runs' records (when resuming) followed by this run's epochs so far.
        List<Dictionary<string, double>> Records(IEnumerable<EpochLogs> epochs) =>
            [.. earlier.Concat(epochs.Select(e => HistoryRecords.Fields(e, firstEpoch)))];
        // Everything the file holds besides the weights, for the epochs run so far.
        ModelInfo Finished(IEnumerable<EpochLogs> epochs)
        {
            var done = info;
            if (data.Task == TaskKind.MultiLabel)
            {
                // θ per label tuned for F1 on validation data (training data when there is none), in probability units.
                var tuneOn = validation ?? train;
                var scores = Assessment.Probabilities(model.Predict(new DataLoader(tuneOn, batch)), data.Task);
                done = With(done, thresholds: [.. DecisionThresholds.Tune(scores, Preparation.All(tuneOn).Y).Values]);
            }
            return With(done, historyJson: HistoryRecords.Serialize(Records(epochs)), extra: extra);
        }
        void SaveModel(string path, ModelInfo saved)
        {
            ModelFile.Save(path, model, saved);
            Safetensors.Save(OptimizerFile(path), optimizer.StateDict(), new Dictionary<string, string> { ["nabla.optimizer"] = optimizerName });
        }
        if (outPath is not null && validation is not null)
        {
            // Each val_loss improvement replaces FILE (atomically), so an interrupted run keeps the best model so far;
            // a finished run overwrites it below with the final model, as without validation data.
            ModelCheckpoint? checkpoint = null;
            checkpoint = new ModelCheckpoint("val_loss", save: (_, _, _) => SaveModel(outPath, Finished(checkpoint!.Context!.History.Epochs)));
            callbacks.Add(checkpoint);
        }
        if (json) progress.EpochEnd += (logs, _) => JsonReport.WriteLine(ctx.Out, HistoryRecords.Fields(logs, firstEpoch).Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)));
        else if (!ctx.Terminal) progress.EpochEnd += (logs, _) => { ctx.Out.WriteLine(ConsoleReport.EpochLine(logs, firstEpoch + logs.Epoch + 1, totalEpochs)); ctx.Out.Flush(); };

        if (!json) ctx.Out.WriteLine($"data {data.Name}: {data.Train.Count} train ({train.Count} fit, {validation?.Count ?? 0} validation), {data.Test.Count} test, {data.Task.ToName()}{(data.ClassNames.Count > 0 ? $", {data.ClassNames.Count} classes" : "")}");
        if (!json) ctx.Out.WriteLine($"model {spec}: {model.ParameterCount():N0} parameters, {optimizerName} lr {r.GetValue(o.LearningRate).ToString(CultureInfo.InvariantCulture)}{(resume is null ? "" : $", resumed from {resume} after {firstEpoch} epochs")}");
        var trainSource = new DataLoader(train, batch, shuffle: true, rng: new Rng(seed + (ulong)firstEpoch + 1));
        var valSource = validation is null ? null : new DataLoader(validation, batch);
        long fitStart = Stopwatch.GetTimestamp();
        History history = ctx.Terminal && !json
            ? ConsoleReport.WithProgressBars(progress, firstEpoch, totalEpochs, () => model.Fit(trainSource, optimizer, loss, epochs, valSource, metrics, callbacks))
            : model.Fit(trainSource, optimizer, loss, epochs, valSource, metrics, callbacks);
        double fitSeconds = Stopwatch.GetElapsedTime(fitStart).TotalSeconds;

        info = Finished(history.Epochs);
        var all = Records(history.Epochs);
        var assessment = Assessment.Run(model, test, data.Task, info, batch);
        if (outPath is not null) SaveModel(outPath, info);
        if (r.GetValue(o.Plot) is { } plot) NablaCommand.WriteAtomically(plot, Plot.Render(all));

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long samples = (long)train.Count * history.Epochs.Count;
        var last = history.Epochs[^1];
        var summary = new List<KeyValuePair<string, object?>>
        {
            new("command", "train"), new("data", data.Name), new("task", data.Task.ToName()), new("architecture", spec),
            new("epochs", totalEpochs), new("epochs_run", history.Epochs.Count), new("train_loss", last.Loss),
        };
        if (last.TryGetValue("val_loss", out var vl)) summary.Add(new("val_loss", vl));
        if (last.TryGetValue("val_accuracy", out var va)) summary.Add(new("val_accuracy", va));
        foreach (var (k, v) in assessment.Figures) summary.Add(new(k, v));
        summary.Add(new("seconds", seconds));
        summary.Add(new("samples_per_second", fitSeconds > 0 ? samples / fitSeconds : 0));
        summary.Add(new("parameters", model.ParameterCount()));
        summary.Add(new("model", outPath is null ? null : Path.GetFullPath(outPath)));
        if (json)
        {
            JsonReport.WriteLine(ctx.Out, summary);
            return NablaCommand.Ok;
        }
        ConsoleReport.Summary(ctx, "summary", summary.Where(kv => kv.Key != "command").Select(kv => new KeyValuePair<string, string>(kv.Key, Text(kv.Value))));
        if (assessment.Confusion is { } cm) ConsoleReport.Confusion(ctx, cm, data.ClassNames);
        return NablaCommand.Ok;
    }

    /// <summary>The optimizer-state sidecar of a model file: <c>FILE.optim.safetensors</c> (kept out of the PyTorch-compatible weights file).</summary>
    public static string OptimizerFile(string modelPath) => modelPath + ".optim.safetensors";

    private static Optimizer CreateOptimizer(string name, Module model, ParseResult r, TrainOptions o)
    {
        float lr = r.GetValue(o.LearningRate), wd = r.GetValue(o.WeightDecay);
        // Like --l1 and --l2, --weight-decay acts on the weights only: biases and BatchNorm's γ, β get λ = 0.
        ParameterGroup[] p = wd > 0 ? ParameterGroup.DecayWeightsOnly(model) : [new ParameterGroup(model.Parameters())];
        return name switch
        {
            "sgd" => new SGD(p, lr, momentum: r.GetValue(o.Momentum), weightDecay: wd),
            "adamw" => new AdamW(p, lr, weightDecay: wd),
            "rmsprop" => new RMSProp(p, lr, weightDecay: wd, momentum: r.GetValue(o.Momentum)),
            "adagrad" => new Adagrad(p, lr, weightDecay: wd),
            _ => new Adam(p, lr, weightDecay: wd),
        };
    }

    /// <summary>
    /// Restores a sidecar's optimizer state. The rates stay the command line's (PyTorch's
    /// load_state_dict would bring back the saved ones). Sidecars written before parameter groups
    /// existed number the parameters in model order; with --weight-decay the optimizer numbers them
    /// group by group (weights first), so such a file's keys are renumbered.
    /// </summary>
    private static void LoadOptimizerState(Optimizer optimizer, Module model, IReadOnlyDictionary<string, Tensor> state)
    {
        var rates = optimizer.ParamGroups.Select(g => (g.LearningRate, g.WeightDecay)).ToArray();
        if (!state.Keys.Any(k => k.StartsWith("param_groups.", StringComparison.Ordinal)))
        {
            var modelOrder = model.Parameters().ToArray();
            var renumbered = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (key, value) in state)
            {
                int dot = key.IndexOf('.', StringComparison.Ordinal);
                string renamed = key;
                if (dot > 0 && int.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < modelOrder.Length)
                    renamed = string.Create(CultureInfo.InvariantCulture, $"{IndexIn(optimizer.Parameters, modelOrder[i])}{key[dot..]}");
                renumbered[renamed] = value;
            }
            state = renumbered;
        }
        optimizer.LoadStateDict(state);
        for (int g = 0; g < rates.Length; g++) (optimizer.ParamGroups[g].LearningRate, optimizer.ParamGroups[g].WeightDecay) = rates[g];
    }

    private static int IndexIn(IReadOnlyList<Tensor> parameters, Tensor p)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (ReferenceEquals(parameters[i], p)) return i;
        throw new InvalidOperationException("a model parameter is missing from its optimizer");
    }

    private static ModelInfo Describe(LoadedData data, string spec, IDataset fitRows)
    {
        float[] mean = [], std = [], tMean = [], tStd = [];
        if (!data.IsImage)
        {
            var (x, y) = Preparation.All(fitRows);
            (mean, std) = Preparation.Statistics(x);
            if (data.Task == TaskKind.Regression) (tMean, tStd) = Preparation.Statistics(y.Rank == 1 ? y.Reshape(y.Shape[0], 1) : y);
        }
        return new ModelInfo
        {
            Architecture = spec, InputShape = [1, .. data.SampleShape], Task = data.Task.ToName(), Classes = data.ClassNames,
            Thresholds = data.Task == TaskKind.Binary ? [0.5f] : [], InputMean = mean, InputStd = std,
            InputScale = data.IsImage ? 1f / 255 : 1f, TargetMean = tMean, TargetStd = tStd,
            Extra = new Dictionary<string, string> { ["label_columns"] = JsonSerializer.Serialize(data.LabelColumns) },
        };
    }

    private static Dictionary<string, string> Extras(ModelInfo info, string dataSpec, string optimizer, ParseResult r, TrainOptions o, int epochs)
    {
        var extra = new Dictionary<string, string>(info.Extra)
        {
            ["data"] = dataSpec, ["optimizer"] = optimizer,
            ["lr"] = r.GetValue(o.LearningRate).ToString("R", CultureInfo.InvariantCulture),
            ["batch_size"] = r.GetValue(o.BatchSize).ToString(CultureInfo.InvariantCulture),
            ["seed"] = r.GetValue(o.Seed).ToString(CultureInfo.InvariantCulture),
            ["epochs"] = epochs.ToString(CultureInfo.InvariantCulture),
        };
        return extra;
    }

    private static ModelInfo With(ModelInfo i, IReadOnlyList<float>? thresholds = null, string? historyJson = null, IReadOnlyDictionary<string, string>? extra = null) => new()
    {
        Architecture = i.Architecture, InputShape = i.InputShape, Task = i.Task, Classes = i.Classes, Thresholds = thresholds ?? i.Thresholds,
        InputMean = i.InputMean, InputStd = i.InputStd, InputScale = i.InputScale, TargetMean = i.TargetMean, TargetStd = i.TargetStd,
        HistoryJson = historyJson ?? i.HistoryJson, Extra = extra ?? i.Extra,
    };

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
