using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

[Collection(ProcessWideStateCollection.Name)]
public class ModelTrainingTests
{
    /// <summary>Three Gaussian blobs in 2-D, labels 0..2.</summary>
    private static (Tensor X, Tensor Y) Blobs(int n, Rng rng, float spread = 0.5f)
    {
        var x = new float[n * 2];
        var y = new float[n];
        float[] cx = [0, 3, 0], cy = [0, 0, 3];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = cx[c] + spread * rng.NextGaussian();
            x[2 * i + 1] = cy[c] + spread * rng.NextGaussian();
        }
        return (Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n));
    }

    /// <summary>Dense layers with ReLU between them: sizes[0] → … → sizes[^1] logits.</summary>
    private static Sequential Mlp(Rng rng, params int[] sizes)
    {
        var model = new Sequential();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            if (i > 0) model.Add(new ReLU());
            model.Add(new Dense(sizes[i], sizes[i + 1], rng));
        }
        return model;
    }

    [Fact]
    public void Fit_learns_separable_blobs_and_logs_every_figure_per_epoch()
    {
        var rng = new Rng(1);
        var (x, y) = Blobs(300, rng);
        var model = Mlp(rng, 2, 16, 3);
        var history = model.Fit(x, y, new Adam(model.Parameters(), 0.01f), new CrossEntropyLoss(), epochs: 5, batchSize: 16,
            validationSplit: 0.2f, metrics: [new Accuracy()], rng: rng);
        Assert.Equal(5, history.Epochs.Count);
        foreach (var key in new[] { "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds" })
            Assert.Equal(5, history[key].Count);
        Assert.True(history.Loss[^1] < history.Loss[0]);
        Assert.True(history["val_accuracy"][^1] > 0.95, history.Epochs[^1].ToString());
        Assert.Equal(0.01, history.Epochs[0].LearningRate, 6);
        Assert.True(model.IsTraining);
    }

    [Fact]
    public void A_steady_state_fit_step_allocates_only_a_few_tensor_objects()
    {
        var rng = new Rng(2);
        var (x, y) = Blobs(256, rng);
        var model = Mlp(rng, 2, 32, 3);
        var optimizer = new Adam(model.Parameters());
        var loss = new CrossEntropyLoss();
        var source = new DataLoader(new Dataset(x, y), 32, shuffle: true, rng: rng);
        IReadOnlyList<Metric> metrics = [new Accuracy(), new TopKAccuracy(2)];
        source.StartEpoch();
        for (int i = 0; i < 8; i++) TrainingStep.Run(model, loss, optimizer, source, i, metrics, out _);
        const int steps = 40;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++) TrainingStep.Run(model, loss, optimizer, source, i % source.BatchCount, metrics, out _);
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / steps;
        AllocationProbe.AtMostTensorObjects(perStep, 16, "a Fit step");
        Console.WriteLine($"steady-state Fit step: {perStep} bytes allocated per step ({AllocationProbe.TensorObjectBytes()} bytes per tensor object)");
    }

    [Fact]
    public void Same_seed_gives_bitwise_identical_weights()
    {
        float[] Train()
        {
            var rng = new Rng(3);
            var (x, y) = Blobs(120, rng);
            var model = Mlp(rng, 2, 8, 3);
            model.Fit(x, y, new Adam(model.Parameters(), 0.01f), new CrossEntropyLoss(), epochs: 3, batchSize: 10, rng: rng);
            return [.. model.Parameters().SelectMany(p => p.ToArray())];
        }
        var a = Train();
        var b = Train();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Fit_on_tensors_is_fit_on_a_shuffling_data_loader_with_the_last_rows_held_out()
    {
        (float[] Weights, IReadOnlyList<double> ValLoss) Train(bool viaLoader)
        {
            var rng = new Rng(3);
            var (x, y) = Blobs(120, rng);
            var model = Mlp(rng, 2, 8, 3);
            var optimizer = new Adam(model.Parameters(), 0.01f);
            History history;
            if (viaLoader)
            {
                var all = new Dataset(x, y);
                var train = new DataLoader(all.Subset([.. Enumerable.Range(0, 90)]), 10, shuffle: true, rng: rng);
                var validation = new DataLoader(all.Subset([.. Enumerable.Range(90, 30)]), 10);
                history = model.Fit(train, optimizer, new CrossEntropyLoss(), epochs: 3, validation);
            }
            else
            {
                history = model.Fit(x, y, optimizer, new CrossEntropyLoss(), epochs: 3, batchSize: 10, validationSplit: 0.25f, rng: rng);
            }
            return ([.. model.Parameters().SelectMany(p => p.ToArray())], history["val_loss"]);
        }
        var tensors = Train(viaLoader: false);
        var loader = Train(viaLoader: true);
        Assert.Equal(loader.Weights, tensors.Weights);
        Assert.Equal(loader.ValLoss, tensors.ValLoss);
        Assert.Equal(3, tensors.ValLoss.Count);
    }

    [Fact]
    public void Predict_batches_match_one_full_forward_pass_in_eval_mode()
    {
        var rng = new Rng(4);
        var (x, _) = Blobs(70, rng);
        var model = Mlp(rng, 2, 8, 3);
        var batched = model.Predict(x, batchSize: 16);
        Tensor full;
        using (GradMode.NoGrad()) full = model.Forward(x);
        Assert.Equal(new Shape(70, 3), batched.Shape);
        Assert.Equal(full.ToArray(), batched.ToArray());
        Assert.True(model.IsTraining);
    }

    [Fact]
    public void Evaluate_reports_mean_loss_and_metrics_by_name()
    {
        var rng = new Rng(5);
        var (x, y) = Blobs(60, rng);
        var model = Mlp(rng, 2, 8, 3);
        var r = model.Evaluate(x, y, new CrossEntropyLoss(), [new Accuracy()], batchSize: 7);
        double expected;
        using (GradMode.NoGrad()) expected = new CrossEntropyLoss().Forward(model.Forward(x), y).Item();
        Assert.Equal(expected, r.Loss, 4);
        Assert.Equal(ClassificationMetrics.Accuracy(model.Predict(x), y), r.Metrics["accuracy"], 10);
    }

    [Fact]
    public void Learning_rate_scheduler_and_progress_callbacks_see_every_epoch_and_batch()
    {
        var rng = new Rng(6);
        var (x, y) = Blobs(50, rng);
        var model = Mlp(rng, 2, 4, 3);
        var optimizer = new Adam(model.Parameters(), 0.1f);
        var progress = new ProgressCallback();
        var batches = new List<BatchLogs>();
        int epochReports = 0;
        progress.BatchEnd += b => batches.Add(b);
        progress.EpochEnd += (_, total) => { epochReports++; Assert.Equal(3, total); };
        int stepCalls = 0;
        var stepper = new LearningRateScheduler(() => stepCalls++);
        var halver = new LearningRateScheduler((epoch, lr) => epoch == 0 ? lr : lr / 2);
        var history = model.Fit(x, y, optimizer, new CrossEntropyLoss(), epochs: 3, batchSize: 20, dropLast: true,
            metrics: [new Accuracy()], callbacks: [progress, stepper, halver], rng: rng);
        Assert.Equal([0.1, 0.05, 0.025], history["lr"].Select(v => Math.Round(v, 6)));
        Assert.Equal(3, stepCalls);
        Assert.Equal(3, epochReports);
        Assert.Equal(6, batches.Count); // 50 rows, batch 20, drop last → 2 batches per epoch
        Assert.All(batches, b => Assert.Equal(20, b.BatchSize));
        Assert.All(batches, b => Assert.InRange(b.RunningAccuracy, 0, 1));
        Assert.Equal(history.Loss[^1], batches[^1].RunningLoss, 6);
    }

    /// <summary>Records the global gradient norm the optimizer is about to step with.</summary>
    private sealed class GradientNormRecorder : Callback
    {
        public List<double> Norms { get; } = [];

        public override void OnBeforeStep() =>
            Norms.Add(Math.Sqrt(RequireContext().Optimizer.Parameters.Sum(p => p.Grad!.ToArray().Sum(g => (double)g * g))));
    }

    [Fact]
    public void Fit_with_clipping_in_the_before_step_hook_steps_with_gradients_no_larger_than_the_maximum()
    {
        // Targets around 50 make the first gradients far larger than the maximum norm of 1.
        var rng = new Rng(9);
        var (x, _) = Blobs(64, rng);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 64).Select(i => 50f + i % 7)], 64, 1);
        var model = Mlp(rng, 2, 8, 1);
        var optimizer = new SGD(model.Parameters(), 1e-3f);
        var unclipped = new List<float>();
        optimizer.BeforeStep += o => unclipped.Add(GradientClipping.ClipByNorm(o.Parameters, 1f));
        var recorder = new GradientNormRecorder();
        model.Fit(x, y, optimizer, new MSELoss(), epochs: 2, batchSize: 16, callbacks: [recorder], rng: rng);

        Assert.Equal(8, recorder.Norms.Count);
        Assert.Equal(8, unclipped.Count);
        Assert.True(unclipped.Min() > 1, $"the test needs gradients above the maximum, got {unclipped.Min()}");
        Assert.All(recorder.Norms, n => Assert.InRange(n, 0.999, 1.0 + 1e-5));
    }

    [Fact]
    public void The_keras_form_of_the_scheduler_sets_every_parameter_groups_rate()
    {
        var rng = new Rng(8);
        var (x, y) = Blobs(40, rng);
        var model = Mlp(rng, 2, 4, 3);
        var layers = model.Parameters().ToArray();
        var optimizer = new Adam([new ParameterGroup(layers[..2], lr: 0.01f), new ParameterGroup(layers[2..])], 0.1f);
        model.Fit(x, y, optimizer, new CrossEntropyLoss(), epochs: 3, callbacks: [new LearningRateScheduler((epoch, lr) => epoch == 0 ? lr : lr / 2)], rng: rng);
        Assert.Equal([0.0025f, 0.025f], optimizer.ParamGroups.Select(g => g.LearningRate));
    }

    [Fact]
    public void Plateau_scheduler_receives_the_monitored_validation_figure()
    {
        var rng = new Rng(7);
        var (x, y) = Blobs(60, rng);
        var model = Mlp(rng, 2, 4, 3);
        var seen = new List<double>();
        var history = model.Fit(x, y, new Adam(model.Parameters()), new CrossEntropyLoss(), epochs: 2, validationData: (x, y),
            callbacks: [LearningRateScheduler.OnPlateau("val_loss", seen.Add)], rng: rng);
        Assert.Equal(history.ValidationLoss, seen);
    }

    [Fact]
    public void Early_stopping_on_an_overfitting_run_stops_and_restores_the_best_weights()
    {
        var rng = new Rng(9);
        // 30 training points with 40 % of labels flipped and a wide network: validation loss must turn up.
        var (x, y) = Blobs(30, rng, spread: 1.2f);
        var ys = y.AsSpan();
        for (int i = 0; i < ys.Length; i++) if (rng.NextFloat() < 0.4f) ys[i] = (ys[i] + 1 + rng.NextInt(2)) % 3;
        var (vx, vy) = Blobs(300, rng, spread: 1.2f);
        var model = Mlp(rng, 2, 256, 256, 3);
        var stopper = new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true);
        var checkpoint = new ModelCheckpoint("val_loss");
        const int maxEpochs = 400;
        var history = model.Fit(x, y, new Adam(model.Parameters(), 0.01f), new CrossEntropyLoss(), epochs: maxEpochs, batchSize: 10,
            validationData: (vx, vy), callbacks: [stopper, checkpoint], rng: rng);
        var val = history.ValidationLoss;
        int best = stopper.BestEpoch;
        Assert.True(history.StoppedEarly);
        Assert.True(val.Count < maxEpochs);
        Assert.True(best > 0 && val[best] < val[0], "validation loss went down first");
        Assert.True(val[^1] > val[best], "then up");
        Assert.Equal(val.Min(), stopper.BestValue);
        Assert.Equal(best, checkpoint.BestEpoch);
        var restored = model.Evaluate(vx, vy, new CrossEntropyLoss(), batchSize: 300);
        Assert.Equal(val[best], restored.Loss, 5);
    }

    [Fact]
    public void A_diverging_run_stops_with_an_error_naming_the_epoch_and_batch_and_keeps_finite_weights()
    {
        // y = 3x with SGD at lr 5: each step multiplies the error by about |1 − 2·lr·E[x²]| ≈ 9, so the
        // squared error overflows float after a few dozen steps, some epochs in.
        var rng = new Rng(11);
        var x = Tensor.Randn(new Shape(100, 1), rng);
        var y = x * 3f;
        var model = new Sequential(new Dense(1, 1, rng));
        var optimizer = new SGD(model.Parameters(), 5f);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            model.Fit(x, y, optimizer, new MSELoss(), epochs: 50, batchSize: 10, rng: rng));
        Assert.True(float.IsNaN(e.Loss) || float.IsInfinity(e.Loss), $"loss {e.Loss}");
        Assert.NotNull(e.Epoch);
        Assert.True(e.Epoch > 0, $"diverged already in epoch {e.Epoch}");
        Assert.InRange(e.Batch, 0, 9);
        Assert.Contains($"epoch {e.Epoch + 1}, batch {e.Batch + 1} of 10", e.Message, StringComparison.Ordinal);
        Assert.Contains("lower learning rate", e.Message, StringComparison.Ordinal);
        Assert.Equal(5f, e.LearningRate);
        Assert.All(model.Parameters(), p => Assert.All(p.ToArray(), v => Assert.True(float.IsFinite(v), $"parameter {v}")));
    }

    [Fact]
    public void A_single_training_step_on_a_non_finite_loss_throws_before_updating_the_parameters()
    {
        var rng = new Rng(12);
        var model = new Sequential(new Dense(2, 1, rng));
        var before = model.Parameters().SelectMany(p => p.ToArray()).ToArray();
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var y = Tensor.FromArray([float.PositiveInfinity, 0f], 2, 1);
        var source = new DataLoader(new Dataset(x, y), 2);
        source.StartEpoch();
        var e = Assert.Throws<TrainingDivergedException>(() =>
            TrainingStep.Run(model, new MSELoss(), new SGD(model.Parameters(), 0.1f), source, 0, null, out _));
        Assert.Null(e.Epoch);
        Assert.StartsWith("training diverged: the loss became +Infinity at batch 1 of 1;", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters().SelectMany(p => p.ToArray()));
        Assert.All(model.Parameters(), p => Assert.True(p.Grad is null || p.Grad.ToArray().All(g => g == 0)));
    }
}
