using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class RecurrentLayerTests
{
    private static RNNBase Make(string kind, int input, int hidden, Rng rng, int layers = 1, bool bidirectional = false,
        RecurrentReturn returns = RecurrentReturn.Last, bool maskPadding = false) => kind switch
        {
            "lstm" => new LSTM(input, hidden, rng, numLayers: layers, bidirectional: bidirectional, returns: returns, maskPadding: maskPadding),
            "gru" => new GRU(input, hidden, rng, numLayers: layers, bidirectional: bidirectional, returns: returns, maskPadding: maskPadding),
            "relu" => new RNN(input, hidden, rng, "relu", numLayers: layers, bidirectional: bidirectional, returns: returns, maskPadding: maskPadding),
            _ => new RNN(input, hidden, rng, numLayers: layers, bidirectional: bidirectional, returns: returns, maskPadding: maskPadding),
        };

    [Fact]
    public void State_dict_names_and_shapes_are_pytorchs_in_pytorchs_order()
    {
        var lstm = new LSTM(5, 3, new Rng(1), numLayers: 2, bidirectional: true);
        var expected = new List<(string, Shape)>();
        foreach (var layer in new[] { "l0", "l1" })
            foreach (var suffix in new[] { "", "_reverse" })
            {
                int input = layer == "l0" ? 5 : 6;
                expected.Add(($"weight_ih_{layer}{suffix}", new Shape(12, input)));
                expected.Add(($"weight_hh_{layer}{suffix}", new Shape(12, 3)));
                expected.Add(($"bias_ih_{layer}{suffix}", new Shape(12)));
                expected.Add(($"bias_hh_{layer}{suffix}", new Shape(12)));
            }
        Assert.Equal(expected, lstm.NamedParameters().Select(p => (p.Name, p.Tensor.Shape)).ToList());
        Assert.Equal(["weight_ih_l0", "weight_hh_l0"], new GRU(4, 2, new Rng(1), bias: false).StateDict().Keys);
        Assert.Equal(new Shape(6, 2), new GRU(4, 2, new Rng(1)).StateDict()["weight_hh_l0"].Shape);
        Assert.Equal(new Shape(2, 4), new RNN(4, 2, new Rng(1)).StateDict()["weight_ih_l0"].Shape);
    }

    [Fact]
    public void Parameters_start_uniform_within_one_over_root_hidden_like_pytorch()
    {
        var gru = new GRU(7, 16, new Rng(3), numLayers: 2);
        float bound = 1f / MathF.Sqrt(16);
        var all = gru.Parameters().SelectMany(p => p.ToArray()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -bound, bound));
        Assert.True(all.Max() > 0.95f * bound && all.Min() < -0.95f * bound, "the values should fill U(−1/√H, 1/√H)");
        Assert.InRange(all.Average(), -0.01f, 0.01f);
    }

    [Theory]
    [InlineData("lstm", 1, false)]
    [InlineData("lstm", 2, true)]
    [InlineData("gru", 2, true)]
    [InlineData("tanh", 1, true)]
    [InlineData("relu", 2, false)]
    public void A_padded_batch_with_lengths_computes_each_row_as_if_it_ran_alone(string kind, int layers, bool bidirectional)
    {
        var rng = new Rng(11);
        var module = Make(kind, 4, 5, rng, layers, bidirectional);
        int[] lengths = [6, 2, 4, 1];
        var x = Tensor.Randn(new Shape(4, 6, 4), rng);
        var initial = new RecurrentState(Tensor.Randn(new Shape(layers * module.Directions, 4, 5), rng),
            kind == "lstm" ? Tensor.Randn(new Shape(layers * module.Directions, 4, 5), rng) : null);
        var batch = module.Forward(x, initial, Tensor.FromArray([.. lengths.Select(l => (float)l)]));
        int width = 5 * module.Directions;
        for (int r = 0; r < 4; r++)
        {
            int len = lengths[r];
            var alone = module.Forward(x.Narrow(0, r, 1).Narrow(1, 0, len).Contiguous(),
                new RecurrentState(initial.H.Narrow(1, r, 1).Contiguous(), initial.C?.Narrow(1, r, 1).Contiguous()));
            var expected = alone.Output.ToArray();
            var got = batch.Output.Narrow(0, r, 1).ToArray();
            for (int t = 0; t < 6; t++)
                for (int j = 0; j < width; j++)
                {
                    float g = got[t * width + j];
                    if (t >= len) Assert.Equal(0f, g);
                    else Assert.Equal(expected[t * width + j], g, 1e-5f);
                }
            AssertClose(alone.State.H.ToArray(), batch.State.H.Narrow(1, r, 1).ToArray());
            if (kind == "lstm") AssertClose(alone.State.C!.ToArray(), batch.State.C!.Narrow(1, r, 1).ToArray());
        }
    }

    [Fact]
    public void Last_returns_each_rows_own_last_step_and_for_bidirectional_the_reverse_direction_at_t0()
    {
        var rng = new Rng(4);
        var x = Tensor.Randn(new Shape(3, 5, 2), rng);
        // Zero padding after each row's length: MaskPadding recovers lengths 5, 3, 1.
        int[] lengths = [5, 3, 1];
        for (int r = 0; r < 3; r++)
            for (int t = lengths[r]; t < 5; t++) { x[r, t, 0] = 0f; x[r, t, 1] = 0f; }
        var lengthTensor = Tensor.FromArray([5f, 3f, 1f]);
        foreach (bool bidirectional in new[] { false, true })
        {
            var module = new GRU(2, 4, new Rng(9), bidirectional: bidirectional, maskPadding: true);
            var last = module.Forward(x);
            var full = module.Forward(x, null, lengthTensor).Output;
            Assert.Equal(new Shape(3, bidirectional ? 8 : 4), last.Shape);
            for (int r = 0; r < 3; r++)
                for (int j = 0; j < 4; j++)
                {
                    Assert.Equal(full[r, lengths[r] - 1, j], last[r, j], 1e-6f);
                    if (bidirectional) Assert.Equal(full[r, 0, 4 + j], last[r, 4 + j], 1e-6f);
                }
        }
    }

    [Fact]
    public void Sequence_mode_returns_every_step_and_a_sequential_tagger_builds_lazily()
    {
        var rng = new Rng(2);
        var tagger = new Sequential(new LSTM(6, bidirectional: true, returns: RecurrentReturn.Sequence), new Dense(3)).Build(new Shape(2, 7, 5), rng);
        var y = tagger.Forward(Tensor.Randn(new Shape(2, 7, 5), rng));
        Assert.Equal(new Shape(2, 7, 3), y.Shape);
        Assert.Equal(["0.weight_ih_l0", "0.weight_hh_l0", "0.bias_ih_l0", "0.bias_hh_l0", "0.weight_ih_l0_reverse",
            "0.weight_hh_l0_reverse", "0.bias_ih_l0_reverse", "0.bias_hh_l0_reverse", "1.weight", "1.bias"], tagger.StateDict().Keys);
        Assert.Equal("LSTM(5 → 6, bidirectional, return=sequence)", tagger[0].Describe());
        Assert.Contains("LSTM(5 → 6", tagger.Summary(new Shape(1, 7, 5)));
    }

    [Fact]
    public void Dropout_between_layers_acts_only_in_training_and_repeats_with_the_seed()
    {
        var x = Tensor.Randn(new Shape(2, 4, 3), new Rng(5));
        float[] Run(bool training, ulong seed)
        {
            var m = new LSTM(3, 8, new Rng(seed), numLayers: 2, dropout: 0.5f);
            m.Train(training);
            return m.Forward(x, null).Output.ToArray();
        }
        Assert.Equal(Run(true, 1), Run(true, 1));
        Assert.NotEqual(Run(true, 1), Run(false, 1));
        Assert.Equal(Run(false, 1), Run(false, 1));
        // As in PyTorch, one layer has no layer after it to drop inputs of.
        var single = new LSTM(3, 8, new Rng(1), numLayers: 1, dropout: 0.5f);
        var trained = single.Forward(x, null).Output.ToArray();
        single.Eval();
        Assert.Equal(trained, single.Forward(x, null).Output.ToArray());
    }

    [Fact]
    public void Bad_input_gets_one_clear_message_naming_the_shape()
    {
        var rng = new Rng(1);
        var lstm = new LSTM(4, 3, rng, numLayers: 2, maxSequenceLength: 50);
        var x = Tensor.Zeros(2, 6, 4);

        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(Tensor.Zeros(2, 51, 4)));
        Assert.Contains("[2, 51, 4]", tooLong.Message);
        Assert.Contains("limit of 50", tooLong.Message);

        var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(x, null, Tensor.FromArray([6f, 7f])));
        Assert.Contains("row 1", beyond.Message);
        Assert.Contains("[1, 6]", beyond.Message);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(x, null, Tensor.FromArray([0f, 3f])));
        Assert.Contains("length 0 of row 0", zero.Message);
        var fraction = Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(x, null, Tensor.FromArray([2.5f, 3f])));
        Assert.Contains("whole number", fraction.Message);
        var count = Assert.Throws<ShapeMismatchException>(() => lstm.Forward(x, null, Tensor.FromArray([2f, 3f, 4f])));
        Assert.Contains("[3]", count.Message);

        var hidden0 = Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(4, 0, rng));
        Assert.Contains("hidden size must be at least 1, got 0", hidden0.Message);

        var state = Assert.Throws<ShapeMismatchException>(() => lstm.Forward(x, new RecurrentState(Tensor.Zeros(1, 2, 3))));
        Assert.Contains("[2, 2, 3]", state.Message);
        Assert.Contains("[1, 2, 3]", state.Message);
        var cell = Assert.Throws<ShapeMismatchException>(() => lstm.Forward(x, new RecurrentState(Tensor.Zeros(2, 2, 3), Tensor.Zeros(2, 3, 3))));
        Assert.Contains("cell state", cell.Message);
        Assert.Contains("[2, 3, 3]", cell.Message);
        Assert.Throws<ArgumentException>(() => new GRU(4, 3, rng).Forward(x, new RecurrentState(Tensor.Zeros(1, 2, 3), Tensor.Zeros(1, 2, 3))));

        var features = Assert.Throws<ShapeMismatchException>(() => lstm.Forward(Tensor.Zeros(2, 6, 5)));
        Assert.Contains("[N, T, 4]", features.Message);
        Assert.Contains("[2, 6, 5]", features.Message);
        Assert.Throws<ShapeMismatchException>(() => lstm.Forward(Tensor.Zeros(6, 4)));
        Assert.Throws<ArgumentException>(() => new RNN(4, 3, rng, "sigmoid"));
        Assert.Throws<InvalidOperationException>(() => new LSTM(8).Forward(x));
    }

    [Fact]
    public void The_op_refuses_weights_and_lengths_that_do_not_fit()
    {
        var w = new RecurrentWeights(Tensor.Zeros(8, 3), Tensor.Zeros(8, 2), null, null);
        var e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(2, 4, 5).RecurrentLayer(RecurrentMode.Lstm, w));
        Assert.Contains("weight_ih", e.Message);
        Assert.Contains("[8, 3]", e.Message);
        var l = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 4, 3).RecurrentLayer(RecurrentMode.Lstm, w, lengths: [4, 5]));
        Assert.Contains("row 1", l.Message);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
    }
}
