using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

/// <summary>
/// The divergence rule: a batch loss over Factor · max(first loss, Floor) stops training; ordinary
/// training, noisy training and a resumed well-fitted model do not trip it.
/// </summary>
public sealed class TerminateOnDivergenceTests
{
    private static (Tensor X, Tensor Y) Iris()
    {
        var d = SklearnCsv.LoadEmbedded("iris");
        return (Standardizer.Fit(d.Features).Transform(d.Features), d.Labels);
    }

    [Fact]
    public void An_exploding_loss_stops_training_before_it_reaches_infinity()
    {
        var (x, y) = Iris();
        var rng = new Rng(0);
        var model = new Sequential(new Dense(4, 16, rng), new ReLU(), new Dense(16, 3, rng));
        var e = Assert.Throws<TrainingDivergedException>(() => model.Fit(x, y, new SGD(model.Parameters(), 1e6f), new CrossEntropyLoss(),
            epochs: 5, batchSize: 32, callbacks: [new TerminateOnDivergence()], rng: rng));
        Assert.True(float.IsFinite(e.Loss), e.Message);
        Assert.True(e.Loss > 1e4, e.Message);
        Assert.Equal(0, e.Epoch);
        Assert.StartsWith("training diverged: the loss grew to ", e.Message, StringComparison.Ordinal);
        Assert.Contains("more than 1E+04 times its first value", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("adam", 1e-3f)]
    [InlineData("sgd", 1f)] // noisy: val_loss jumps by an order of magnitude between epochs, but it learns
    public void Ordinary_and_noisy_training_runs_to_the_end(string optimizer, float lr)
    {
        var (x, y) = Iris();
        var rng = new Rng(0);
        var model = new Sequential(new Dense(4, 16, rng), new ReLU(), new Dense(16, 3, rng));
        Optimizer opt = optimizer == "adam" ? new Adam(model.Parameters(), lr) : new SGD(model.Parameters(), lr);
        var history = model.Fit(x, y, opt, new CrossEntropyLoss(), epochs: 40, batchSize: 16, metrics: [new Accuracy()],
            callbacks: [new TerminateOnDivergence()], rng: rng);
        Assert.Equal(40, history.Epochs.Count);
        Assert.True(history.Epochs[^1]["accuracy"] > 0.9, $"accuracy {history.Epochs[^1]["accuracy"]}");
    }

    [Fact]
    public void The_floor_keeps_a_tiny_first_loss_from_making_an_ordinary_batch_look_like_divergence()
    {
        var model = new Sequential(new Dense(2, 1, new Rng(1)));
        var rule = new TerminateOnDivergence(factor: 1e4, floor: 1);
        rule.Context = new TrainingContext(model, new SGD(model.Parameters(), 0.5f), 1, [], new History());
        rule.OnTrainBegin();
        rule.OnBatchEnd(new BatchLogs(0, 0, 10, 32, 1e-5, 1e-5, double.NaN, 0)); // a resumed, well-fitted model
        rule.OnBatchEnd(new BatchLogs(0, 1, 10, 32, 3.0, 1.5, double.NaN, 0)); // 3·10⁵ × the first loss, but below 10⁴ · 1
        var e = Assert.Throws<TrainingDivergedException>(() => rule.OnBatchEnd(new BatchLogs(0, 2, 10, 32, 2e4, 1e4, double.NaN, 0)));
        Assert.Contains("at epoch 1, batch 3 of 10", e.Message, StringComparison.Ordinal);
        Assert.Contains("(it is 0.5)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TerminateOnDivergence(factor: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TerminateOnDivergence(floor: double.NaN));
    }
}
