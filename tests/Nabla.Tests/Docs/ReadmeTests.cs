using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Optim.Rules;
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
    public void Optimizer_bullet_examples_build_their_chains_and_groups_and_step()
    {
        var rng = new Rng(1);
        var backbone = new Sequential(new Dense(4, 8, rng), new BatchNorm1d(8), new ReLU());
        var head = new Dense(8, 3, rng);
        var model = new Sequential(backbone, head);
        var chain = new Optimizer(model.Parameters(), lr: 1e-3f, weightDecay: 1e-4f, new ClipGlobalNorm(1f), new WeightDecay(), new AdamRule());
        var groups = new Adam([new ParameterGroup(backbone.Parameters(), lr: 1e-4f), new ParameterGroup(head.Parameters())], lr: 1e-3f);
        var decay = new AdamW(ParameterGroup.DecayWeightsOnly(new Sequential(new Dense(4, 8, rng), new BatchNorm1d(8))), lr: 1e-3f);
        chain.BeforeStep += o => GradientClipping.ClipByNorm(o.Parameters, 1f);
        var loss = new RegularizedLoss(new CrossEntropyLoss(), model, 1e-4f, 1e-4f);
        var before = model.Parameters().First().ToArray();
        foreach (var opt in new Optimizer[] { chain, groups })
        {
            opt.ZeroGrad();
            loss.Forward(model.Forward(Tensor.Randn(new Shape(5, 4), rng)), Tensor.FromArray([0f, 1f, 2f, 0f, 1f])).Backward();
            opt.Step();
        }
        Assert.NotEqual(before, model.Parameters().First().ToArray());
        Assert.Equal([1e-4f, 1e-3f], groups.ParamGroups.Select(g => g.LearningRate));
        Assert.Equal([0.01f, 0f], decay.ParamGroups.Select(g => g.WeightDecay));
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
