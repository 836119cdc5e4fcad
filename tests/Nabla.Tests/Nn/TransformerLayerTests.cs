using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Nn;

/// <summary>
/// The attention layers as modules: gradients with respect to inputs and every parameter against
/// finite differences, training-mode behaviour, state-dict names, and the messages for bad input.
/// </summary>
public class TransformerLayerTests
{
    [Fact]
    public void MultiheadAttention_passes_gradcheck_for_inputs_and_parameters()
    {
        var rng = new Rng(1);
        var mha = new MultiheadAttention(6, 3, rng);
        Randomize(mha, rng);
        var q = GradAssert.Param(rng, 1f, 2, 3, 6);
        var kv = GradAssert.Param(rng, 1f, 2, 4, 6);
        var padding = Tensor.FromArray([0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f], 2, 4);
        GradAssert.Passes(t => mha.Forward(t[0], t[1], t[1], AttentionMask.Boolean(padding), needWeights: false).Output,
            [q, kv, .. mha.Parameters()]);
    }

    [Fact]
    public void Self_attention_with_one_qkv_product_equals_three_products_forward_and_backward()
    {
        var rng = new Rng(5);
        var mha = new MultiheadAttention(8, 2, rng);
        Randomize(mha, rng);
        var x = Tensor.Randn(new Shape(2, 5, 8), rng).RequireGrad();
        var seed = Tensor.Randn(new Shape(2, 5, 8), rng);
        // One tensor in all three roles takes the fused path (one [3E, E] product, column views)...
        var fused = mha.Forward(x, x, x, needWeights: false).Output;
        fused.Backward(seed);
        float[][] one = [fused.ToArray(), x.Grad!.ToArray(), .. mha.Parameters().Select(p => p.Grad!.ToArray())];
        x.Grad = null;
        mha.ZeroGrad();
        // ...three distinct views of the same data take three products of width E.
        var separate = mha.Forward(x, x.Narrow(0, 0, 2), x.Narrow(1, 0, 5), needWeights: false).Output;
        separate.Backward(seed);
        float[][] three = [separate.ToArray(), x.Grad!.ToArray(), .. mha.Parameters().Select(p => p.Grad!.ToArray())];
        Assert.Equal(three.Length, one.Length);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(three[i].Length, one[i].Length);
            for (int j = 0; j < one[i].Length; j++)
                Assert.True(MathF.Abs(one[i][j] - three[i][j]) <= 1e-6f + 1e-6f * MathF.Abs(three[i][j]),
                    $"tensor {i} element {j}: one product {one[i][j]}, three products {three[i][j]}");
        }
        Assert.Contains(one[1], g => g != 0f);
    }

    [Theory]
    [InlineData(false, "gelu")]
    [InlineData(true, "gelu")]
    [InlineData(false, "relu")]
    public void TransformerEncoderLayer_passes_gradcheck_for_inputs_and_parameters(bool normFirst, string activation)
    {
        var rng = new Rng(2);
        var layer = new TransformerEncoderLayer(4, 2, rng, dimFeedforward: 6, dropout: 0f, activation: activation, normFirst: normFirst);
        Randomize(layer, rng);
        var x = GradAssert.Param(rng, 1f, 2, 3, 4);
        GradAssert.Passes(t => layer.Forward(t[0], isCausal: true), [x, .. layer.Parameters()]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TransformerDecoderLayer_passes_gradcheck_for_inputs_and_parameters(bool normFirst)
    {
        var rng = new Rng(3);
        var layer = new TransformerDecoderLayer(4, 2, rng, dimFeedforward: 6, dropout: 0f, activation: "gelu", normFirst: normFirst);
        Randomize(layer, rng);
        var tgt = GradAssert.Param(rng, 1f, 2, 3, 4);
        var memory = GradAssert.Param(rng, 1f, 2, 2, 4);
        GradAssert.Passes(t => layer.Forward(t[0], t[1], tgtIsCausal: true), [tgt, memory, .. layer.Parameters()]);
    }

    [Fact]
    public void Positional_encodings_pass_gradcheck_and_the_sinusoids_follow_the_formula()
    {
        var rng = new Rng(4);
        var learned = new LearnedPositionalEncoding(4, 6, rng);
        var x = GradAssert.Param(rng, 1f, 2, 3, 4);
        GradAssert.Passes(t => learned.Forward(t[0], startPosition: 2).Square(), [x, learned.Weight]);
        var sinusoidal = new SinusoidalPositionalEncoding(6, maxLength: 50);
        var zeros = Tensor.Zeros(1, 50, 6);
        var pe = sinusoidal.Forward(zeros);
        for (int p = 0; p < 50; p += 7)
            for (int i = 0; i < 6; i += 2)
            {
                double angle = p / Math.Pow(10000, i / 6.0);
                Assert.Equal(Math.Sin(angle), pe[0, p, i], 4);
                Assert.Equal(Math.Cos(angle), pe[0, p, i + 1], 4);
            }
        Assert.Empty(sinusoidal.StateDict());
        Assert.Equal(["weight"], learned.StateDict().Keys);
    }

    [Fact]
    public void Training_mode_drops_attention_weights_and_evaluation_mode_does_not()
    {
        var rng = new Rng(5);
        var mha = new MultiheadAttention(8, 2, rng, dropout: 0.5f);
        var x = Tensor.Randn(new Shape(2, 16, 8), rng);
        var (_, trainWeights) = mha.Forward(x, x, x, averageAttnWeights: false);
        var zeros = trainWeights!.ToArray().Count(w => w == 0f);
        Assert.InRange(zeros / (double)trainWeights.Numel, 0.4, 0.6);
        mha.Eval();
        var (_, evalWeights) = mha.Forward(x, x, x, averageAttnWeights: false);
        Assert.DoesNotContain(0f, evalWeights!.ToArray());
        // Each row of the evaluation weights is a distribution.
        var w = evalWeights.ToArray();
        for (int r = 0; r < w.Length / 16; r++) Assert.Equal(1.0, w.AsSpan(r * 16, 16).ToArray().Sum(v => (double)v), 5);
    }

    [Fact]
    public void A_query_whose_keys_are_all_masked_gets_zeros_instead_of_nan()
    {
        var rng = new Rng(6);
        var q = Tensor.Randn(new Shape(1, 2, 4), rng);
        var k = Tensor.Randn(new Shape(1, 3, 4), rng);
        var mask = Tensor.FromArray([1f, 1f, 1f, 0f, 1f, 1f], 2, 3);
        var y = q.ScaledDotProductAttention(k, k, 1, AttentionMask.Boolean(mask));
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(0f, y[0, 0, c]);
            Assert.Equal(k[0, 0, c], y[0, 1, c], 6);   // the second query sees only key 0
        }
    }

    [Fact]
    public void Bad_input_gets_one_line_messages_that_name_the_shapes()
    {
        var rng = new Rng(7);
        var heads = Assert.Throws<ArgumentException>(() => new MultiheadAttention(10, 3, rng));
        Assert.Contains("3 heads do not divide the embedding size 10", heads.Message);
        var q = Tensor.Zeros(2, 5, 8);
        var k = Tensor.Zeros(2, 6, 8);
        var op = Assert.Throws<ShapeMismatchException>(() => q.ScaledDotProductAttention(k, k, 3));
        Assert.Contains("3 heads do not divide the embedding size 8 of query [2, 5, 8]", op.Message);
        var mask = Assert.Throws<ShapeMismatchException>(() => q.ScaledDotProductAttention(k, k, 2, AttentionMask.Additive(Tensor.Zeros(5, 5))));
        Assert.Contains("attn_mask of shape [5, 5] does not fit query [2, 5, 8] and key [2, 6, 8] with 2 heads: expected [5, 6] or [4, 5, 6]", mask.Message);
        var padding = Assert.Throws<ShapeMismatchException>(() => q.ScaledDotProductAttention(k, k, 2, keyPaddingMask: AttentionMask.Boolean(Tensor.Zeros(2, 5))));
        Assert.Contains("key_padding_mask of shape [2, 5] does not fit key [2, 6, 8]: expected [2, 6]", padding.Message);
        var mha = new MultiheadAttention(8, 2, rng);
        var width = Assert.Throws<ShapeMismatchException>(() => mha.Forward(Tensor.Zeros(2, 5, 6)));
        Assert.Contains("query must be [B, L, 8] (batch first), got [2, 5, 6]", width.Message);
        var pe = new SinusoidalPositionalEncoding(8, maxLength: 16);
        var tooLong = Assert.Throws<ShapeMismatchException>(() => pe.Forward(Tensor.Zeros(1, 10, 8), startPosition: 10));
        Assert.Contains("positions 10..19 of input [1, 10, 8] exceed its table of 16 positions", tooLong.Message);
        var act = Assert.Throws<ArgumentException>(() => new TransformerEncoderLayer(8, 2, rng, activation: "tanh"));
        Assert.Contains("'relu' or 'gelu', got 'tanh'", act.Message);
        Assert.DoesNotContain('\n', heads.Message + op.Message + mask.Message + padding.Message + width.Message + tooLong.Message);
    }

    [Fact]
    public void Transformer_state_dict_has_pytorchs_names_in_pytorchs_order()
    {
        var model = new Transformer(8, 2, new Rng(8), numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16);
        var keys = model.StateDict().Keys.ToArray();
        Assert.Equal("encoder.layers.0.self_attn.in_proj_weight", keys[0]);
        Assert.Equal("encoder.layers.0.self_attn.in_proj_bias", keys[1]);
        Assert.Equal("encoder.layers.0.self_attn.out_proj.weight", keys[2]);
        Assert.Contains("encoder.norm.weight", keys);
        Assert.Contains("decoder.layers.0.multihead_attn.out_proj.bias", keys);
        Assert.Contains("decoder.layers.0.norm3.bias", keys);
        Assert.Equal("decoder.norm.bias", keys[^1]);
        Assert.Equal(12 + 2 + 18 + 2, keys.Length);
        // PyTorch's _reset_parameters: matrices Xavier-uniform, U(±√(6/(fan_in + fan_out))).
        float bound = MathF.Sqrt(6f / (16 + 8));
        Assert.All(model.StateDict()["encoder.layers.0.linear1.weight"].ToArray(), w => Assert.InRange(w, -bound, bound));
    }

    // Non-trivial values for every parameter (biases start at zero and norms at one).
    private static void Randomize(Module module, Rng rng)
    {
        foreach (var (name, p) in module.NamedParameters())
        {
            var s = p.AsSpan();
            rng.FillNormal(s, name.Contains("norm") && name.EndsWith("weight") ? 1f : 0f, 0.4f);
        }
    }
}
