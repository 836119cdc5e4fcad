using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Cli;

namespace Nabla.Tests.IO;

/// <summary>The SPEC words for sequences: rnn/lstm/gru (and bi-), posenc, transformer.</summary>
public sealed class SequenceSpecTests
{
    private static Sequential Build(string spec, params int[] input) => ModelBuilder.Build(ModelSpec.Parse(spec), new Shape(input), new Rng(7));

    [Fact]
    public void Recurrent_words_build_PyTorchs_modules_with_their_state_dict_names()
    {
        var model = Build("bilstm(8, return=sequence) gru(4, layers=2, dropout=0.1) dense(3)", 2, 5, 6);
        Assert.IsType<LSTM>(model[0]);
        var gru = Assert.IsType<GRU>(model[1]);
        Assert.Equal(2, gru.NumLayers);
        Assert.Equal(0.1f, gru.DropoutProbability);
        var keys = model.StateDict().Keys.ToList();
        Assert.Contains("0.weight_ih_l0_reverse", keys);
        Assert.Contains("1.bias_hh_l1", keys);
        Assert.Equal([32, 6], model.StateDict()["0.weight_ih_l0"].Shape.ToArray()); // 4 gates × 8
        Assert.Equal([2, 3], ModelBuilder.OutputShape(model, new Shape(2, 5, 6)).ToArray());
        var relu = Assert.IsType<RNN>(Build("birnn(5, nonlinearity=relu)", 1, 3, 2)[0]);
        Assert.Contains("relu", relu.Describe(), StringComparison.Ordinal);
        Assert.Equal([1, 10], ModelBuilder.OutputShape(relu, new Shape(1, 3, 2)).ToArray());
    }

    [Fact]
    public void Transformer_and_posenc_build_an_encoder_stack_that_keeps_the_shape()
    {
        var model = Build("posenc transformer(heads=2, layers=2, ff=16, dropout=0) dense(3)", 1, 5, 8);
        Assert.IsType<SinusoidalPositionalEncoding>(model[0]);
        var encoder = Assert.IsType<TransformerEncoder>(model[1]);
        Assert.Equal(2, encoder.Layers.Count);
        Assert.Contains("1.layers.1.self_attn.in_proj_weight", model.StateDict().Keys);
        Assert.Contains("1.layers.0.linear1.weight", model.StateDict().Keys);
        Assert.Equal([16, 8], model.StateDict()["1.layers.0.linear1.weight"].Shape.ToArray());
        Assert.Equal([1, 5, 3], ModelBuilder.OutputShape(model, new Shape(1, 5, 8)).ToArray());
        Assert.IsType<LearnedPositionalEncoding>(Build("posenc(learned, max=16)", 1, 5, 8)[0]);
    }

    [Theory]
    [InlineData("lstm(8)", new[] { 1, 784 }, "lstm needs sequences [batch, time, features] (e.g. after embedding(dim)), got [1, 784]")]
    [InlineData("lstm(0)", new[] { 1, 5, 4 }, "the hidden size must be at least 1, got 0")]
    [InlineData("gru(8, return=all)", new[] { 1, 5, 4 }, "return= takes last or sequence, got 'all'")]
    [InlineData("lstm(8, layer=2)", new[] { 1, 5, 4 }, "did you mean 'layers'?")]
    [InlineData("bilstm(8, dropout=1)", new[] { 1, 5, 4 }, "dropout= must be in [0, 1), got 1")]
    [InlineData("rnn(8, nonlinearity=sigmoid)", new[] { 1, 5, 4 }, "nonlinearity= takes tanh or relu, got 'sigmoid'")]
    [InlineData("transformer(heads=3)", new[] { 1, 5, 8 }, "heads=3 does not divide the embedding size 8 of its input [1, 5, 8]")]
    [InlineData("transformer(layers=2)", new[] { 1, 5, 8 }, "transformer needs heads=")]
    [InlineData("transformer(heads=2, activation=tanh)", new[] { 1, 5, 8 }, "activation= takes relu or gelu, got 'tanh'")]
    [InlineData("posenc(max=3)", new[] { 1, 5, 8 }, "max=3 positions are fewer than the 5 time steps")]
    [InlineData("posenc(cosine)", new[] { 1, 5, 8 }, "posenc takes sinusoidal or learned, got 'cosine'")]
    public void Bad_sequence_words_are_refused_naming_the_column_and_the_problem(string spec, int[] input, string message)
    {
        var e = Assert.Throws<ModelSpecException>(() => Build(spec, input));
        Assert.Contains("column 1", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lstm(6)")]
    [InlineData("bigru(6)")]
    [InlineData("posenc transformer(heads=2, ff=8, dropout=0) lstm(3)")]
    public void Padding_from_the_embedding_changes_nothing(string spec)
    {
        // Row [3, 5] padded to length 4 with index 0 gives the same output as the row alone:
        // recurrent layers take each row's length from the mask, attention hides the padding keys.
        var rng = new Rng(3);
        var model = new Sequential(new Embedding(10, 4, rng, paddingIdx: 0), Build(spec, 1, 4, 4));
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        var padded = model.Forward(Tensor.FromArray([3f, 5f, 0f, 0f], 1, 4)).ToArray();
        var alone = model.Forward(Tensor.FromArray([3f, 5f], 1, 2)).ToArray();
        Assert.Equal(alone.Length, padded.Length);
        for (int i = 0; i < alone.Length; i++) Assert.Equal(alone[i], padded[i], 5);
    }

    [Fact]
    public void A_transformer_classifier_pools_only_real_tokens()
    {
        var rng = new Rng(5);
        var body = Build("posenc transformer(heads=2, ff=8, dropout=0)", 1, 3, 4);
        var model = new Sequential(new Embedding(10, 4, rng, paddingIdx: 0), body, new GlobalAveragePooling1D());
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        var padded = model.Forward(Tensor.FromArray([3f, 5f, 7f, 0f, 0f], 1, 5)).ToArray();
        var alone = model.Forward(Tensor.FromArray([3f, 5f, 7f], 1, 3)).ToArray();
        for (int i = 0; i < alone.Length; i++) Assert.Equal(alone[i], padded[i], 5);
    }

    [Fact]
    public void A_saved_recurrent_model_loads_with_identical_predictions_and_inspect_shows_its_layers()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nabla-seqspec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            const string arch = "bilstm(6, return=sequence) transformer(heads=2, ff=8, dropout=0) gru(5) dense(2)";
            var model = Build(arch, 1, 4, 3);
            model.Eval();
            string path = Path.Combine(dir, "seq.safetensors");
            ModelFile.Save(path, model, new ModelInfo { Architecture = arch, InputShape = [1, 4, 3], Task = "multiclass", Classes = ["a", "b"] });
            var (loaded, _) = ModelFile.Load(path);
            var x = Tensor.Randn(new Shape(3, 4, 3), new Rng(9));
            using (GradMode.NoGrad())
            using (TensorScope.Begin())
                Assert.Equal(model.Forward(x).ToArray(), loaded.Forward(x).ToArray());
            var (code, output, _) = Cli.Cli.Run("inspect", path);
            Assert.Equal(0, code);
            Assert.Contains("LSTM(3 → 6, bidirectional, return=sequence)", output, StringComparison.Ordinal);
            Assert.Contains("TransformerEncoder(1 layer)", output, StringComparison.Ordinal);
            Assert.Contains("GRU(12 → 5, return=last)", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
