using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Tests.Training;

/// <summary>Each warning of <see cref="Diagnostics"/> on a small deterministic case, and none on a healthy one.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class DiagnosticsTests
{
    private static (Tensor X, Tensor Y) Data(int rows, int features, int classes, Rng rng) =>
        (Tensor.Randn(new Shape(rows, features), rng), Tensor.FromArray([.. Enumerable.Range(0, rows).Select(i => (float)(i % classes))], rows));

    private static Diagnostics Train(Sequential model, Optimizer optimizer, int epochs = 1, int rows = 64, Rng? rng = null, Diagnostics? diagnostics = null)
    {
        rng ??= new Rng(1);
        var (x, y) = Data(rows, model.Parameters().First().Shape[1], 3, rng);
        diagnostics ??= new Diagnostics();
        model.Fit(x, y, optimizer, new CrossEntropyLoss(), epochs: epochs, batchSize: 16, callbacks: [diagnostics], rng: rng);
        return diagnostics;
    }

    private static DiagnosticWarning Single(Diagnostics d, DiagnosticKind kind) =>
        Assert.Single(d.Warnings, w => w.Kind == kind);

    [Fact]
    public void A_deep_sigmoid_network_gets_a_vanishing_gradient_warning_naming_its_early_layers()
    {
        var rng = new Rng(2);
        var model = new Sequential();
        for (int i = 0; i < 8; i++) model.Add(new Dense(16, "sigmoid"));
        model.Add(new Dense(3));
        model.Build(new Shape(1, 8), rng);
        var d = Train(model, new Adam(model.Parameters(), 1e-3f), rng: rng);

        var w = Single(d, DiagnosticKind.VanishingGradients);
        Assert.Equal("0.weight", w.Layer);
        Assert.StartsWith("vanishing gradients: layers 0.weight, 1.weight, ", w.Message);
        Assert.EndsWith("of the last layer's gradient norm; consider ReLU or batch norm", w.Message);
        Assert.True(d.Parameters[0].GradientNorm[0] < 1e-3 * d.Parameters[^2].GradientNorm[0]);
        Assert.DoesNotContain(d.Warnings, x => x.Kind == DiagnosticKind.ExplodingGradients);
    }

    [Fact]
    public void A_tiny_first_layer_feeding_a_huge_last_one_gets_an_exploding_gradient_warning()
    {
        // ∂E/∂W₀ = (W₁ᵀδ)·xᵀ is large while ∂E/∂W₁ = δ·hᵀ is small, because h = W₀x is tiny.
        var rng = new Rng(17);
        var model = new Sequential(Dense.FromWeights(Tensor.Randn(new Shape(4, 4), rng) * 1e-4f), Dense.FromWeights(Tensor.Randn(new Shape(3, 4), rng) * 1e2f));
        var d = Train(model, new SGD(model.Parameters(), 0f));
        var w = Single(d, DiagnosticKind.ExplodingGradients);
        Assert.Equal("exploding gradients: layer 0.weight gets " + DiagnosticRules.Number(d.Parameters[0].GradientNorm[0] / d.Parameters[1].GradientNorm[0])
            + " times the last layer's gradient norm; clip the gradients, lower the learning rate or use batch norm", w.Message);
    }

    [Fact]
    public void Units_pushed_below_zero_get_a_dead_relu_warning_with_their_share()
    {
        var rng = new Rng(3);
        var model = new Sequential(Dense.FromWeights(Tensor.Randn(new Shape(8, 4), rng) * 0.01f, Tensor.Full(new Shape(8), -5f)), new ReLU(), new Dense(8, 3, rng));
        var d = Train(model, new SGD(model.Parameters(), 1e-3f));
        var w = Single(d, DiagnosticKind.DeadReLU);
        Assert.Equal("dead ReLU: 100 % of units in layer 1 never activate; lower the learning rate or use LeakyReLU", w.Message);
        Assert.Equal(1.0, d.Layers[1].DeadFraction[0]);
        Assert.True(double.IsNaN(d.Layers[0].DeadFraction[0]));
    }

    [Fact]
    public void A_unit_active_on_any_batch_of_the_epoch_is_alive()
    {
        // Half of the units are pushed below zero; the other half are alive on some batches only.
        var w = Tensor.Zeros(4, 2);
        w[0, 0] = 1f; w[1, 0] = -1f; w[2, 0] = 1f; w[3, 0] = -1f;
        var model = new Sequential(Dense.FromWeights(w, Tensor.FromArray([0f, 0f, -100f, -100f], 4)), new ReLU(), new Dense(4, 3, new Rng(4)));
        var d = Train(model, new SGD(model.Parameters(), 0f), rng: new Rng(4));
        Assert.Equal(0.5, d.Layers[1].DeadFraction[0]);
    }

    [Fact]
    public void Large_weights_into_a_sigmoid_get_a_saturation_warning()
    {
        var rng = new Rng(5);
        var model = new Sequential(Dense.FromWeights(Tensor.Randn(new Shape(6, 4), rng) * 50f), new Sigmoid(), new Dense(6, 3, rng));
        var d = Train(model, new SGD(model.Parameters(), 1e-3f), rng: rng);
        var w = Single(d, DiagnosticKind.Saturation);
        Assert.Equal("1", w.Layer);
        Assert.StartsWith("saturated sigmoid: ", w.Message);
        Assert.Contains(" of layer 1's outputs are within 0.01 of 0 or 1, where its gradient vanishes", w.Message);
        Assert.True(d.Layers[1].SaturatedFraction[0] > 0.5);
    }

    [Fact]
    public void Steps_as_large_as_the_weights_get_a_learning_rate_too_large_warning()
    {
        var rng = new Rng(6);
        var model = new Sequential(Dense.FromWeights(Tensor.Randn(new Shape(8, 4), rng) * 1e-3f), new Tanh(), Dense.FromWeights(Tensor.Randn(new Shape(3, 8), rng) * 1e-3f));
        var d = Train(model, new SGD(model.Parameters(), 1f), rng: rng);
        var w = d.Warnings.First(x => x.Kind == DiagnosticKind.LargeUpdates);
        Assert.Matches(@"^update ratio [0-9.e+]+ in layer \d\.weight: learning rate likely too large$", w.Message);
        Assert.True(d.Parameters.First(p => p.Name == w.Layer).UpdateRatio[0] >= 0.1);
    }

    [Fact]
    public void Steps_that_barely_move_the_weights_in_the_first_epoch_get_a_learning_rate_too_small_warning()
    {
        var rng = new Rng(7);
        var model = new Sequential(new Dense(4, 8, rng), new ReLU(), new Dense(8, 3, rng));
        var d = Train(model, new SGD(model.Parameters(), 1e-7f), rng: rng);
        Assert.Equal(2, d.Warnings.Count(x => x.Kind == DiagnosticKind.SmallUpdates));
        Assert.Contains(d.Warnings, x => x.Message.StartsWith("update ratio ", StringComparison.Ordinal) && x.Message.EndsWith(" in layer 0.weight: learning rate likely too small", StringComparison.Ordinal));
    }

    [Fact]
    public void Memorising_random_labels_gets_an_overfitting_warning()
    {
        var rng = new Rng(8);
        var (x, y) = Data(16, 10, 4, rng);
        var (vx, vy) = Data(64, 10, 4, rng);
        var model = new Sequential(new Dense(10, 64, rng), new ReLU(), new Dense(64, 4, rng));
        var d = new Diagnostics();
        var history = model.Fit(x, y, new Adam(model.Parameters(), 1e-2f), new CrossEntropyLoss(), epochs: 40, batchSize: 16,
            validationData: (vx, vy), callbacks: [d], rng: rng);
        var w = Single(d, DiagnosticKind.Overfitting);
        Assert.Equal("overfitting: validation loss rising for 5 epochs while training loss falls; stop earlier (early stopping), add dropout or weight decay, or use more data", w.Message);
        var val = history.ValidationLoss;
        for (int e = w.Epoch - 4; e <= w.Epoch; e++) Assert.True(val[e] > val[e - 1]);
    }

    /// <summary>exp(100·x): overflows for inputs above about 0.9.</summary>
    private sealed class Overflowing : Module
    {
        public override Tensor Forward(Tensor input) => (input * 100f).Exp();
    }

    [Fact]
    public void The_first_operation_that_produced_infinity_is_named_with_its_shapes_and_layer()
    {
        var rng = new Rng(9);
        var model = new Sequential(new Dense(4, 3, rng), new Overflowing(), new Dense(3, 3, rng));
        var (x, y) = Data(32, 4, 3, rng);
        var d = new Diagnostics();
        Assert.Throws<TrainingDivergedException>(() => model.Fit(x * 10f, y, new SGD(model.Parameters(), 0.1f), new CrossEntropyLoss(), epochs: 1, batchSize: 8, callbacks: [d], rng: rng));
        Assert.Equal("Exp([8, 3]) → [8, 3] in layer 1 (Overflowing) at epoch 1, batch 1", d.FirstNonFinite);
        Assert.Equal("non-finite values: first produced by " + d.FirstNonFinite, Single(d, DiagnosticKind.NonFinite).Message);
    }

    /// <summary>√(x²) = |x|: a finite forward pass, but 0·∞ = NaN in the backward pass where x = 0.</summary>
    private sealed class SqrtOfSquare : Module
    {
        public override Tensor Forward(Tensor input) => input.Square().Sqrt();
    }

    [Fact]
    public void A_gradient_that_becomes_infinite_in_the_backward_pass_is_named()
    {
        var rng = new Rng(10);
        // The first unit's net input is exactly 0 for every sample: zero weights and bias.
        var w = Tensor.Randn(new Shape(3, 4), rng);
        for (int i = 0; i < 4; i++) w[0, i] = 0f;
        var model = new Sequential(Dense.FromWeights(w, Tensor.FromArray([0f, 1f, 1f], 3)), new SqrtOfSquare(), new Dense(3, 3, rng));
        var (x, y) = Data(16, 4, 3, rng);
        var d = new Diagnostics();
        try
        {
            model.Fit(x, y, new SGD(model.Parameters(), 0.1f), new CrossEntropyLoss(), epochs: 2, batchSize: 8, callbacks: [d], rng: rng);
        }
        catch (TrainingDivergedException)
        {
            // NaN weights after the first update make a later loss NaN; the origin was recorded before.
        }
        Assert.Equal("the gradient of 0.weight (backward pass) at epoch 1, batch 1", d.FirstNonFinite);
    }

    [Fact]
    public void A_healthy_run_gets_no_warning_and_the_same_weights_as_without_diagnostics()
    {
        Sequential Model() => new(new Dense(8, 32, new Rng(11)), new ReLU(), new Dense(32, 3, new Rng(12)));
        var plain = Model();
        var watched = Model();
        var (x, y) = Data(96, 8, 3, new Rng(13));
        plain.Fit(x, y, new Adam(plain.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 4, batchSize: 16, rng: new Rng(14));
        var d = new Diagnostics();
        watched.Fit(x, y, new Adam(watched.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 4, batchSize: 16, callbacks: [d], rng: new Rng(14));

        Assert.Empty(d.Warnings);
        Assert.Null(d.FirstNonFinite);
        Assert.Equal(4, d.EpochCount);
        foreach (var (name, t) in plain.StateDict()) Assert.Equal(t.ToArray(), watched.StateDict()[name].ToArray());
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, d.Parameters.Select(p => p.Name));
        Assert.Equal(new[] { "0", "1", "2" }, d.Layers.Select(l => l.Name));
        Assert.All(d.Parameters, p => Assert.Equal(4, p.GradientNorm.Count));
        // ‖w‖ at the end of the last epoch is the model's.
        var w0 = watched.StateDict()["0.weight"].ToArray();
        Assert.Equal(Math.Sqrt(w0.Sum(v => (double)v * v)), d.Parameters[0].WeightNorm[^1], 6);
    }

    [Fact]
    public void Layer_statistics_are_the_mean_and_standard_deviation_of_the_epochs_outputs()
    {
        // A layer that ignores its weights' updates: SGD with η = 0 keeps the outputs the same every batch.
        var w = Tensor.FromArray(new float[,] { { 1f, 0f }, { 0f, 2f } });
        var model = new Sequential(Dense.FromWeights(w, Tensor.Zeros(2)), new Dense(2, 3, new Rng(15)));
        var x = Tensor.FromArray(new float[,] { { 1f, 2f }, { 3f, 4f } });
        var d = new Diagnostics();
        model.Fit(x, Tensor.FromArray([0f, 1f], 2), new SGD(model.Parameters(), 0f), new CrossEntropyLoss(), epochs: 1, batchSize: 1, shuffle: false, callbacks: [d]);
        // Outputs of layer 0: (1, 4) and (3, 8): mean 4, variance (9 + 0 + 1 + 16)/4 = 6.5.
        Assert.Equal(4.0, d.Layers[0].Mean[0], 6);
        Assert.Equal(Math.Sqrt(6.5), d.Layers[0].Std[0], 6);
    }

    [Fact]
    public void A_steady_state_step_while_diagnosing_allocates_only_a_few_tensor_objects()
    {
        var rng = new Rng(16);
        var model = new Sequential(new Dense(64, 128, rng), new ReLU(), new Dense(128, 64, rng), new Sigmoid(), new Dense(64, 10, rng));
        var (x, y) = Data(2048, 64, 10, rng);
        var probe = new StepBytes();
        model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 2, batchSize: 128, callbacks: [new Diagnostics(), probe], rng: rng);
        Nabla.Tests.AllocationProbe.AtMostTensorObjects(probe.Allocated / 15, 16, "a diagnosed Fit step");
    }

    /// <summary>Bytes this thread allocated over batches 0 to 15 of the second epoch.</summary>
    private sealed class StepBytes : Callback
    {
        private long _start;

        public long Allocated { get; private set; } = -1;

        public override void OnBatchEnd(in BatchLogs logs)
        {
            if (logs.Epoch != 1) return;
            if (logs.Batch == 0) _start = GC.GetAllocatedBytesForCurrentThread();
            else if (logs.Batch == 15) Allocated = GC.GetAllocatedBytesForCurrentThread() - _start;
        }
    }
}
