using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Generation;
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
    public void Attention_tour_runs_with_the_shapes_it_states()
    {
        var rng = new Rng(0);
        var x = Tensor.Randn(new Shape(2, 6, 256), rng);
        var padding = Tensor.FromArray([0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f], 2, 6);
        var src = Tensor.Randn(new Shape(2, 5, 128), rng);
        var tgt = Tensor.Randn(new Shape(2, 4, 128), rng);
        var pad = AttentionMask.Boolean(Tensor.FromArray([0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f], 2, 5));
        var (query, key, value) = (x, x, x);

        var layer = new TransformerEncoderLayer(256, 4, rng, dimFeedforward: 1024, dropout: 0.1f);   // batch first: [B, L, 256]
        var y = layer.Forward(x, srcKeyPaddingMask: AttentionMask.Boolean(padding));                 // padding [B, L], 1 = pad

        var model = new Transformer(128, 4, rng, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512);
        var decoded = model.Forward(src, tgt, tgtIsCausal: true, srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad);

        var mha = new MultiheadAttention(256, 4, rng, dropout: 0.1f);
        var (output, weights) = mha.Forward(query, key, value, needWeights: true);                   // weights averaged over heads

        Assert.Equal(x.Shape, y.Shape);
        Assert.Equal(tgt.Shape, decoded.Shape);
        Assert.Equal(x.Shape, output.Shape);
        Assert.Equal(new Shape(2, 6, 6), weights!.Shape);
    }

    [Fact]
    public void Generation_tour_decodes_greedily_and_by_beam_search_until_the_end_token()
    {
        var rng = new Rng(0);
        var sourceIds = Tensor.FromArray([5f, 6f, 7f, 8f, 9f, 5f, 0f, 0f], 2, 4);
        var model = new Seq2SeqTransformer(12, 12, 16, 2, rng, (n, d) => new Nabla.StandIns.EmbeddingStandIn(n, d, rng),
            numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32, maxLength: 32, paddingToken: 0);

        model.Eval();
        var decoder = model.StartDecoding(sourceIds, maxLength: 16);                        // encodes once, caches keys and values
        int[][] outputs = Decoding.Greedy(decoder, startToken: 1, endToken: 2, maxLength: 16);
        int[][] beams = Decoding.BeamSearch(model.StartDecoding(sourceIds, 16, repeat: 4), beamWidth: 4, startToken: 1, endToken: 2, maxLength: 16);

        Assert.Equal(2, outputs.Length);
        Assert.Equal(2, beams.Length);
        Assert.All(outputs, o => Assert.True(o.Length <= 16 && !o.Contains(2)));
    }
}
