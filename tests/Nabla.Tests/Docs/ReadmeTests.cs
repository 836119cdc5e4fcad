using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Text;
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
    }
    [Fact]
    public void Text_tour_classifies_debian_sections_from_descriptions()
    {
        var rows = Nabla.Tests.Data.Text.TextVectorizationTests.ReadColumns(TestData.Path_("debian-packages.tsv.gz"), "description", "section");
        var rng = new Rng(0);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        rng.Shuffle(order.AsSpan());
        var train = order.Take(rows.Count * 4 / 5).Select(i => rows[i]).ToList();
        var test = order.Skip(rows.Count * 4 / 5).Select(i => rows[i]).ToList();
        var sections = train.Select(r => r[1]).Distinct().Order(StringComparer.Ordinal).ToList();
        Tensor Labels(List<string[]> part) => Tensor.FromArray([.. part.Select(r => (float)Math.Max(0, sections.IndexOf(r[1])))]);

        var vectorizer = new TextVectorization(maxTokens: 20_000, outputSequenceLength: 24);
        vectorizer.Adapt(train.Select(r => r[0]));                       // vocabulary from the training rows only
        var model = new Sequential(
            new Embedding(vectorizer.Vocabulary.Count, 64, rng, paddingIdx: 0),   // ids [N, 24] → [N, 24, 64] + padding mask
            new GlobalAveragePooling1D(),                                // mean over the real tokens → [N, 64]
            new Dense(64, 64, rng, activation: "relu"),
            new Dense(64, sections.Count, rng));
        model.Fit(vectorizer.Transform([.. train.Select(r => r[0])]), Labels(train), new Adam(model.Parameters(), 1e-2f),
            new CrossEntropyLoss(), epochs: 3, batchSize: 128, rng: rng);
        var result = model.Evaluate(vectorizer.Transform([.. test.Select(r => r[0])]), Labels(test), new CrossEntropyLoss(), [new Accuracy()]);

        Assert.True(result.Metrics["accuracy"] >= 0.68, $"test accuracy {result.Metrics["accuracy"]:F4}");
    }
}
