using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Docs;

/// <summary>The README's examples, kept compiling and correct.</summary>
public class ReadmeTests
{
    [Fact]
    public void Api_tour_computes_gradients_for_every_parameter()
    {
        var rng = new Rng(42);
        var x = Tensor.Randn(new Shape(4, 3), rng);
        var w = (Tensor.Randn(new Shape(2, 3), rng) * 0.1f).Detach().RequireGrad();
        var b = Tensor.Zeros(2).RequireGrad();

        var y = (x.MatMul(w.T()) + b).Relu();
        var loss = y.Square().Mean();
        loss.Backward();

        Assert.Equal(w.Shape, w.Grad!.Shape);
        Assert.Equal(b.Shape, b.Grad!.Shape);
        using (GradMode.NoGrad())
        {
            var inference = x.MatMul(w.T()) + b;
            Assert.False(inference.RequiresGrad);
        }
    }

    [Fact]
    public void Layers_tour_trains_digits_to_over_ninety_seven_percent()
    {
        var root = Nabla.Tests.Architecture.LayeringTests.RepoRoot();
        var rng = new Rng(0);
        var digits = SklearnCsv.Load(Path.Combine(root, "..", "shared", "data", "sklearn", "digits.csv.gz"));
        var (train, test) = Splits.TrainTestSplit(new Dataset(digits.Features, digits.Labels), 0.2, rng, stratify: digits.Labels);
        var scaler = Standardizer.Fit(train.X);

        var model = new Sequential(new Dense(64, 128, rng), new ReLU(), new Dense(128, 10, rng));
        var history = model.Fit(scaler.Transform(train.X), train.Y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(),
            epochs: 40, batchSize: 32, validationSplit: 0.1f, metrics: [new Accuracy()],
            callbacks: [new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true)], rng: rng);
        var result = model.Evaluate(scaler.Transform(test.X), test.Y, new CrossEntropyLoss(), [new Accuracy()]);

        Assert.True(result.Metrics["accuracy"] >= 0.97, $"test accuracy {result.Metrics["accuracy"]:F4}");
        Assert.Contains("Dense(64 → 128)", model.Summary(new Shape(1, 64)));
        Assert.NotEmpty(history.Epochs);

        var loader = new DataLoader(new Dataset(scaler.Transform(train.X), train.Y), batchSize: 32, shuffle: true, rng: rng);
        var more = model.Fit(loader, new Adam(model.Parameters(), 1e-4f), new CrossEntropyLoss(), epochs: 5, metrics: [new Accuracy()]);

        Assert.Equal(5, more.Epochs.Count);
        Assert.True(more["accuracy"][^1] >= 0.97, $"training accuracy {more["accuracy"][^1]:F4}");
    }
}
