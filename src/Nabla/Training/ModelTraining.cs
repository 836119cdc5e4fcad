using System.Diagnostics;
using System.Runtime.CompilerServices;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Training;

/// <summary>
/// Keras-style training on any <see cref="Module"/>: <c>model.Fit(...)</c>, <c>model.Evaluate(...)</c>,
/// <c>model.Predict(...)</c>. The model stays a plain PyTorch-like module; these are extension methods.
/// </summary>
/// <example><code>
/// var history = model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(),
///     epochs: 30, batchSize: 32, validationSplit: 0.1f, metrics: [new Accuracy()],
///     callbacks: [new EarlyStopping(patience: 5, restoreBestWeights: true)], rng: new Rng(42));
/// var (loss, figures) = model.Evaluate(xTest, yTest, new CrossEntropyLoss(), [new Accuracy()]);
/// var probabilities = model.Predict(xTest).Softmax(-1);
/// </code></example>
public static class ModelTraining
{
    /// <summary>
    /// Trains on in-memory tensors, Keras' <c>model.fit(x, y, ...)</c>: runs the
    /// <see cref="Fit(Module, DataLoader, Optimizer, Loss, int, DataLoader?, IReadOnlyList{Metric}?, IReadOnlyList{Callback}?, IProgress{EpochLogs}?, CancellationToken)"/>
    /// overload on <c>new DataLoader(new Dataset(x, y), batchSize, shuffle, rng, dropLast)</c>, so each
    /// epoch shuffles the rows (with <paramref name="rng"/>), runs one <see cref="TrainingStep"/> per
    /// batch in training mode, then evaluates the validation data in evaluation mode.
    /// </summary>
    /// <param name="model">The model to train (left in training mode, as PyTorch after training).</param>
    /// <param name="x">Inputs <c>[N, …]</c>.</param>
    /// <param name="y">Targets <c>[N, …]</c> (class indices <c>[N]</c> for cross-entropy).</param>
    /// <param name="optimizer">The optimizer over the model's parameters.</param>
    /// <param name="loss">The loss to minimise (reduction Mean or Sum).</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="validationData">Held-out (x, y) evaluated after every epoch (logged as <c>val_*</c>).</param>
    /// <param name="validationSplit">Fraction in [0, 1) of the rows, taken from the end before shuffling as in Keras, used as validation data instead.</param>
    /// <param name="metrics">Figures accumulated per epoch on training and validation data.</param>
    /// <param name="callbacks">Hooks: early stopping, checkpoints, schedules, progress.</param>
    /// <param name="rng">Shuffling generator; when null and shuffling, one seeded with <see cref="FitDefaults.ShuffleSeed"/>.</param>
    /// <param name="shuffle">Reshuffle the training rows every epoch.</param>
    /// <param name="dropLast">Skip an incomplete last batch.</param>
    /// <param name="progress">Receives each epoch's logs as it ends (for a UI; <see cref="Progress{T}"/> posts to the caller's context).</param>
    /// <param name="cancellationToken">Stops training between two steps: the unfinished epoch is not logged, callbacks' <c>OnTrainEnd</c> still runs (so <see cref="EarlyStopping"/> restores the best weights), then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>Per-epoch loss, metrics, validation figures, learning rate and seconds.</returns>
    /// <exception cref="ArgumentException">Both validation data and a split are given, or the split is outside [0, 1).</exception>
    /// <exception cref="ShapeMismatchException">Inputs and targets have different numbers of rows.</exception>
    /// <exception cref="TrainingDivergedException">A batch loss was NaN or infinite (names the epoch and batch).</exception>
    public static History Fit(this Module model, Tensor x, Tensor y, Optimizer optimizer, Loss loss,
        int epochs = FitDefaults.Epochs, int batchSize = FitDefaults.BatchSize, (Tensor X, Tensor Y)? validationData = null,
        double validationSplit = 0, IReadOnlyList<Metric>? metrics = null, IReadOnlyList<Callback>? callbacks = null,
        Rng? rng = null, bool shuffle = true, bool dropLast = false, IProgress<EpochLogs>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentException($"validationSplit must be in [0, 1), got {validationSplit}", nameof(validationSplit));
        if (validationSplit > 0 && validationData is not null)
            throw new ArgumentException("give either validationData or validationSplit, not both", nameof(validationSplit));
        var data = new Dataset(x, y);
        DataLoader? validation = null;
        if (validationSplit > 0)
        {
            int n = data.Count;
            int held = (int)Math.Round(n * (double)(float)validationSplit); // stored as float, as before the double surface
            if (held < 1 || held >= n)
                throw new ArgumentException($"validationSplit {validationSplit} of {n} rows leaves {held} validation and {n - held} training rows", nameof(validationSplit));
            validation = new DataLoader(data.Subset(Rows(n - held, held)), batchSize);
            data = data.Subset(Rows(0, n - held));
        }
        else if (validationData is { } v)
        {
            validation = new DataLoader(new Dataset(v.X, v.Y), batchSize);
        }
        var train = new DataLoader(data, batchSize, shuffle, shuffle ? rng ?? new Rng(FitDefaults.ShuffleSeed) : null, dropLast);
        return model.Fit(train, optimizer, loss, epochs, validation, metrics, callbacks, progress, cancellationToken);
    }

    /// <summary>
    /// Trains on batches from <paramref name="train"/> (the loader owns batch size, shuffling and
    /// drop-last), evaluating <paramref name="validation"/> after every epoch. See the tensor
    /// overload for the other parameters. With a <see cref="MultiOutputLoss"/> (a <see cref="FunctionalModel"/> with
    /// several outputs), <c>loss</c> is the weighted sum, each output's own loss is logged as <c>output_k_loss</c>
    /// (and <c>val_output_k_loss</c>), and metrics see the first output. When the model is an <see cref="IDataParallelModule"/>
    /// (several processes, each with its shard of the loaders), the epoch's loss and metrics are summed
    /// over the processes before they are logged, and training stops when any process's callbacks stop it;
    /// there a cancellation takes effect at the end of the epoch, when every process agrees to stop
    /// (stopping one process between steps would leave the others waiting in an all-reduce).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the model keeps the weights of the last step (or the best ones, with <see cref="EarlyStopping"/>'s restore).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one epoch.</exception>
    /// <exception cref="NablaException">The model has parameters and every one is frozen (nothing to train).</exception>
    /// <exception cref="ArgumentException">A data-parallel model with a metric that has no summable state.</exception>
    /// <exception cref="TrainingDivergedException">A batch loss was NaN or infinite (names the epoch and batch).</exception>
    public static History Fit(this Module model, DataLoader train, Optimizer optimizer, Loss loss,
        int epochs = FitDefaults.Epochs, DataLoader? validation = null, IReadOnlyList<Metric>? metrics = null,
        IReadOnlyList<Callback>? callbacks = null, IProgress<EpochLogs>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        // A model with parameters that are all frozen would run every epoch and change nothing.
        var parameters = model.NamedParameters().ToList();
        if (parameters.Count > 0 && parameters.TrueForAll(p => !p.Tensor.RequiresGrad))
            throw new NablaException($"nothing to train: all {parameters.Count} parameters of the model are frozen (Module.Freeze); unfreeze some layers or add a new head");
        metrics ??= [];
        callbacks ??= [];
        var parallel = model as IDataParallelModule;
        if (parallel is not null) CheckSummable(metrics);
        // Each output's own loss is logged as output_k_loss (on this process's data alone in a data-parallel run: not logged there).
        var multiOutput = parallel is null ? loss as MultiOutputLoss : null;
        double[]? outputTotals = multiOutput is null ? null : new double[multiOutput.Losses.Count];
        var history = new History();
        var context = new TrainingContext(model, optimizer, epochs, metrics, history);
        Accuracy? accuracy = null;
        foreach (var m in metrics) if (m is Accuracy a) { accuracy = a; break; }

        foreach (var cb in callbacks) cb.Context = context;
        // Callbacks that watch the forward pass switch on the diagnostic mode; without them the step is the plain one.
        IStepObserver[]? observers = [.. callbacks.OfType<IStepObserver>()];
        if (observers.Length == 0) observers = null;
        // Callbacks see each step's finished gradients through the optimizer's hook, for this run only.
        Action<Optimizer> beforeStep = _ =>
        {
            for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnBeforeStep();
        };
        optimizer.BeforeStep += beforeStep;
        try
        {
            foreach (var cb in callbacks) cb.OnTrainBegin();
            for (int epoch = 0; epoch < epochs && !context.StopTraining; epoch++)
            {
                foreach (var cb in callbacks) cb.OnEpochBegin(epoch);
                float lr = (float)optimizer.LearningRate;
                long start = Stopwatch.GetTimestamp();
                model.Train();
                foreach (var m in metrics) m.Reset();
                train.StartEpoch();
                double total = 0;
                long seen = 0;
                if (outputTotals is not null) Array.Clear(outputTotals);
                int batches = train.BatchCount;
                for (int b = 0; b < batches; b++)
                {
                    if (parallel is null && cancellationToken.IsCancellationRequested) break;
                    float value = TrainingStep.Run(model, loss, optimizer, train, b, metrics, epoch, observers, out int size);
                    total += TrainingStep.Total(loss, value, size);
                    seen += size;
                    if (outputTotals is not null)
                        for (int k = 0; k < outputTotals.Length; k++) outputTotals[k] += TrainingStep.Total(loss, multiOutput!.LastValues[k], size);
                    if (callbacks.Count == 0) continue;
                    double secs = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    var logs = new BatchLogs(epoch, b, batches, size, value, total / seen,
                        accuracy?.Result ?? double.NaN, secs > 0 ? seen / secs : 0);
                    for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnBatchEnd(in logs);
                }
                if (parallel is null && cancellationToken.IsCancellationRequested) break; // the unfinished epoch is not logged
                if (parallel is not null) (total, seen) = SumOverProcesses(parallel, total, seen, metrics);
                var epochLogs = new EpochLogs(epoch);
                epochLogs["loss"] = seen == 0 ? double.NaN : total / seen;
                if (outputTotals is not null)
                    for (int k = 0; k < outputTotals.Length; k++) epochLogs[OutputLossName(k)] = seen == 0 ? double.NaN : outputTotals[k] / seen;
                foreach (var m in metrics) epochLogs[m.Name] = m.Result;
                if (validation is not null)
                {
                    epochLogs["val_loss"] = EvaluateCore(model, validation, loss, metrics, outputTotals, parallel is null ? cancellationToken : default);
                    if (outputTotals is not null)
                        for (int k = 0; k < outputTotals.Length; k++) epochLogs["val_" + OutputLossName(k)] = outputTotals[k];
                    foreach (var m in metrics) epochLogs["val_" + m.Name] = m.Result;
                }
                epochLogs["lr"] = lr;
                epochLogs["seconds"] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                history.Add(epochLogs);
                foreach (var cb in callbacks) cb.OnEpochEnd(epoch, epochLogs);
                progress?.Report(epochLogs);
                if (parallel is not null) context.StopTraining = AnyProcess(parallel, context.StopTraining || cancellationToken.IsCancellationRequested);
                if (context.StopTraining && epoch < epochs - 1) history.StoppedEarly = true;
            }
            model.Train();
            foreach (var cb in callbacks) cb.OnTrainEnd();
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            optimizer.BeforeStep -= beforeStep;
            foreach (var cb in callbacks) cb.Context = null;
        }
        return history;
    }

    /// <summary>
    /// The mean loss and metric values over <paramref name="x"/>, <paramref name="y"/> in evaluation
    /// mode without gradients (Keras' <c>model.evaluate</c>); the model's mode is restored afterwards.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="x">Inputs <c>[N, …]</c>.</param>
    /// <param name="y">Targets <c>[N, …]</c>.</param>
    /// <param name="loss">The loss (null: only metrics, loss reported as NaN).</param>
    /// <param name="metrics">Figures to compute.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling throws <see cref="OperationCanceledException"/> (the model's mode is restored).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EvaluationResult Evaluate(this Module model, Tensor x, Tensor y, Loss? loss, IReadOnlyList<Metric>? metrics = null,
        int batchSize = FitDefaults.BatchSize, CancellationToken cancellationToken = default) =>
        model.Evaluate(new DataLoader(new Dataset(x, y), batchSize), loss, metrics, cancellationToken);

    /// <summary>
    /// Evaluates over every batch of <paramref name="source"/> (see the tensor overload); a data-parallel
    /// model (<see cref="IDataParallelModule"/>) sums the figures of every process's shard. With a
    /// <see cref="MultiOutputLoss"/> the loss is the weighted sum and the figures hold each output's own loss
    /// as <c>output_k_loss</c>; metrics see the first output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EvaluationResult Evaluate(this Module model, DataLoader source, Loss? loss, IReadOnlyList<Metric>? metrics = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        metrics ??= [];
        if (model is IDataParallelModule) CheckSummable(metrics);
        bool wasTraining = model.IsTraining;
        var outputTotals = loss is MultiOutputLoss multi && model is not IDataParallelModule ? new double[multi.Losses.Count] : null;
        double value;
        try
        {
            value = EvaluateCore(model, source, loss, metrics, outputTotals, cancellationToken);
        }
        finally
        {
            model.Train(wasTraining);
        }
        var figures = new Dictionary<string, double>();
        foreach (var m in metrics) figures[m.Name] = m.Result;
        if (outputTotals is not null)
            for (int k = 0; k < outputTotals.Length; k++) figures[OutputLossName(k)] = outputTotals[k];
        return new EvaluationResult(value, figures);
    }

    /// <summary>Runs the model over <paramref name="source"/> in eval mode; metrics hold the results afterwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double EvaluateCore(Module model, DataLoader source, Loss? loss, IReadOnlyList<Metric> metrics, double[]? outputTotals, CancellationToken cancellationToken)
    {
        if (outputTotals is not null) Array.Clear(outputTotals);
        model.Eval();
        foreach (var m in metrics) m.Reset();
        source.StartEpoch();
        double total = 0;
        long seen = 0;
        using (Autograd.GradMode.NoGrad())
        {
            for (int b = 0; b < source.BatchCount; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using (TensorScope.Begin())
                {
                    var (x, y) = source.GetBatch(b);
                    int size = x.Shape[0];
                    if (size == 0) continue; // a data shard's empty part of a small last batch
                    Tensor output;
                    if (loss is not null)
                    {
                        var l = TrainingStep.ForwardLoss(model, loss, x, y, out output);
                        total += l.Numel == 1 ? TrainingStep.Total(loss, l.Item(), size) : Sum(l) * size / l.Numel;
                        if (outputTotals is not null && loss is MultiOutputLoss multi)
                            for (int k = 0; k < outputTotals.Length; k++) outputTotals[k] += TrainingStep.Total(loss, multi.LastValues[k], size);
                    }
                    else output = model.Forward(x);
                    for (int i = 0; i < metrics.Count; i++) metrics[i].Update(output, y);
                    seen += size;
                }
            }
        }
        if (model is IDataParallelModule parallel) (total, seen) = SumOverProcesses(parallel, total, seen, metrics);
        if (outputTotals is not null)
            for (int k = 0; k < outputTotals.Length; k++) outputTotals[k] = seen == 0 ? double.NaN : outputTotals[k] / seen;
        return loss is null || seen == 0 ? double.NaN : total / seen;
    }

    /// <summary>The log name of output <paramref name="k"/>'s own loss under a <see cref="MultiOutputLoss"/>: <c>output_k_loss</c>.</summary>
    public static string OutputLossName(int k) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"output_{k}_loss");

    private static void CheckSummable(IReadOnlyList<Metric> metrics)
    {
        foreach (var m in metrics)
            if (m.SummableStateLength <= 0)
                throw new ArgumentException($"the metric {m.Name} ({m.GetType().Name}) has no summable state (Metric.SummableStateLength), so data-parallel training cannot combine it across processes", nameof(metrics));
    }

    /// <summary>The loss total, sample count and every metric's state summed over the processes of a data-parallel run (metrics get the sums).</summary>
    private static (double Total, long Seen) SumOverProcesses(IDataParallelModule parallel, double total, long seen, IReadOnlyList<Metric> metrics)
    {
        int length = 2;
        foreach (var m in metrics) length += m.SummableStateLength;
        var values = new double[length];
        values[0] = total;
        values[1] = seen;
        int at = 2;
        foreach (var m in metrics)
        {
            m.WriteSummableState(values.AsSpan(at, m.SummableStateLength));
            at += m.SummableStateLength;
        }
        parallel.SumOverProcesses(values);
        at = 2;
        foreach (var m in metrics)
        {
            m.ReadSummableState(values.AsSpan(at, m.SummableStateLength));
            at += m.SummableStateLength;
        }
        return (values[0], (long)values[1]);
    }

    /// <summary>True on every process when <paramref name="stop"/> is true on any.</summary>
    private static bool AnyProcess(IDataParallelModule parallel, bool stop)
    {
        Span<double> flag = [stop ? 1 : 0];
        parallel.SumOverProcesses(flag);
        return flag[0] > 0;
    }

    /// <summary>
    /// The model's outputs for every row of <paramref name="x"/>, computed in batches in evaluation
    /// mode without gradients (each batch in its own scope, copied into one result <c>[N, …]</c>).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="x">Inputs <c>[N, …]</c>.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling throws <see cref="OperationCanceledException"/> (the model's mode is restored).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Predict(this Module model, Tensor x, int batchSize = FitDefaults.BatchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (x.Rank == 0) throw new ShapeMismatchException($"predict needs inputs [N, …], got a scalar");
        return model.Predict(new DataLoader(new Dataset(x, x), batchSize), cancellationToken);
    }

    /// <summary>The model's outputs for every batch of <paramref name="source"/>, in the source's order (targets are ignored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Predict(this Module model, DataLoader source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        bool wasTraining = model.IsTraining;
        model.Eval();
        source.StartEpoch();
        Tensor? result = null;
        int row = 0;
        try
        {
            using (Autograd.GradMode.NoGrad())
            {
                for (int b = 0; b < source.BatchCount; b++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using (TensorScope.Begin())
                    {
                        var output = model.Forward(source.GetBatch(b).Inputs);
                        if (result is null)
                        {
                            using (TensorScope.Suspend()) result = Tensor.Zeros(output.Shape.With(0, source.SampleCount));
                        }
                        int width = result.Numel / Math.Max(1, source.SampleCount);
                        output.CopyTo(result.AsSpan().Slice(row * width, output.Numel));
                        row += output.Shape[0];
                    }
                }
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return result ?? Tensor.Zeros(0);
    }

    private static int[] Rows(int start, int count) => [.. Enumerable.Range(start, count)];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Sum(Tensor t)
    {
        double s = 0;
        foreach (var v in t.AsSpan()) s += v;
        return s;
    }
}
