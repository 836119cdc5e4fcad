using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Kernels;

namespace Nabla.Tests.Autograd;

public class ConvGradCheckTests
{
    private readonly Rng _rng = new(7);

    [Theory]
    [InlineData(2, 2, 5, 6, 3, 3, 3, 1, 1, 0, 0, 1, 1)]
    [InlineData(2, 3, 7, 5, 2, 3, 2, 2, 1, 1, 0, 1, 1)]
    [InlineData(3, 2, 7, 7, 2, 2, 3, 1, 2, 2, 1, 2, 1)]
    [InlineData(1, 1, 6, 5, 3, 3, 3, 2, 2, 1, 1, 1, 2)]
    public void Conv2d_matches_finite_differences_for_input_weight_and_bias(int n, int c, int h, int w, int o, int kh, int kw,
        int sh, int sw, int ph, int pw, int dh, int dw)
    {
        var x = GradAssert.Param(_rng, 1f, n, c, h, w);
        var wt = GradAssert.Param(_rng, 0.5f, o, c, kh, kw);
        var b = GradAssert.Param(_rng, 0.5f, o);
        GradAssert.Passes(t => t[0].Conv2d(t[1], t[2], (sh, sw), (ph, pw), (dh, dw)), x, wt, b);
    }

    [Theory]
    [InlineData(2, 3, 5, 6, 4, 0)]
    [InlineData(1, 2, 5, 5, 3, 1)]
    [InlineData(2, 2, 4, 3, 2, 2)]
    public void Conv2d_with_winograd_matches_finite_differences_for_input_weight_and_bias(int n, int c, int h, int w, int o, int pad)
    {
        var x = GradAssert.Param(_rng, 1f, n, c, h, w);
        var wt = GradAssert.Param(_rng, 0.5f, o, c, 3, 3);
        var b = GradAssert.Param(_rng, 0.5f, o);
        GradAssert.Passes(t => t[0].Conv2d(t[1], t[2], (1, 1), (pad, pad), (1, 1), ConvAlgorithm.Winograd), x, wt, b);
    }

    [Theory]
    [InlineData(1, 2, 17, 16, 2, 1)]
    [InlineData(2, 3, 18, 19, 2, 0)]
    public void Conv2d_with_4x4_winograd_tiles_matches_finite_differences_for_input_weight_and_bias(int n, int c, int h, int w, int o, int pad)
    {
        // Outputs ≥ 16×16: F(4×4, 3×3) for the forward and both gradients. Its float32 rounding (≈ 1e-5 relative, the
        // 6×6 transforms) is above GradCheck's noise model at ε = 1e-2; a convolution is linear, so a larger step has
        // no truncation error and shrinks the rounding's share.
        Assert.True(WinogradF4Conv.Pays(new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad)));
        var x = GradAssert.Param(_rng, 1f, n, c, h, w);
        var wt = GradAssert.Param(_rng, 0.5f, o, c, 3, 3);
        var b = GradAssert.Param(_rng, 0.5f, o);
        var result = GradCheck.Run(t => t[0].Conv2d(t[1], t[2], (1, 1), (pad, pad), (1, 1), ConvAlgorithm.Winograd), [x, wt, b], epsilon: 0.5);
        Assert.True(result.Passed, result.Failure);
    }

    [Theory]
    [InlineData(2, 3, 6, 7, 4, 2)]
    [InlineData(1, 2, 5, 5, 3, 0)]
    [InlineData(2, 2, 4, 3, 2, 4)]
    public void Conv2d_with_5x5_winograd_matches_finite_differences_for_input_weight_and_bias(int n, int c, int h, int w, int o, int pad)
    {
        var x = GradAssert.Param(_rng, 1f, n, c, h, w);
        var wt = GradAssert.Param(_rng, 0.5f, o, c, 5, 5);
        var b = GradAssert.Param(_rng, 0.5f, o);
        Assert.True(Winograd5Conv.Chosen(new ConvGeometry(c, h, w, 5, 5, 1, 1, pad, pad), o, ConvAlgorithm.Winograd));
        GradAssert.Passes(t => t[0].Conv2d(t[1], t[2], (1, 1), (pad, pad), (1, 1), ConvAlgorithm.Winograd), x, wt, b);
    }

    [Fact]
    public void Conv2d_layer_runs_5x5_winograd_by_default_on_16_channels_and_its_gradients_match_finite_differences()
    {
        var conv = new Conv2d(16, 16, 5, new Rng(3), padding: 2);
        Assert.True(Winograd5Conv.Chosen(new ConvGeometry(16, 6, 6, 5, 5, 1, 1, 2, 2), 16, conv.Algorithm));
        var x = GradAssert.Param(_rng, 1f, 1, 16, 6, 6);
        GradAssert.Passes(t => conv.Forward(t[0]), x);
        var auto = conv.Forward(x).ToArray();
        conv.Algorithm = ConvAlgorithm.Direct;
        var direct = conv.Forward(x).ToArray();
        var expected = ConvReference.Conv2d(x.ToArray(), 1, 16, 6, 6, conv.Weight.ToArray(), 16, 5, 5, conv.Bias!.ToArray(), 1, 1, 2, 2, 1, 1, out _, out _);
        Assert.Equal(x.Conv2d(conv.Weight, conv.Bias, (1, 1), (2, 2), (1, 1), ConvAlgorithm.Direct).ToArray(), direct);
        for (int i = 0; i < auto.Length; i++)
        {
            Assert.Equal(expected[i], direct[i], 1e-4f);
            Assert.Equal(expected[i], auto[i], 1e-4f);
        }
    }

    [Fact]
    public void Conv2d_layer_runs_winograd_by_default_on_16_channels_and_its_gradients_match_finite_differences()
    {
        var conv = new Conv2d(16, 16, 3, new Rng(3), padding: 1);
        Assert.Equal(ConvAlgorithm.Auto, conv.Algorithm);
        Assert.True(WinogradConv.Chosen(new ConvGeometry(16, 6, 6, 3, 3, 1, 1, 1, 1), 16, conv.Algorithm));
        var x = GradAssert.Param(_rng, 1f, 1, 16, 6, 6);
        GradAssert.Passes(t => conv.Forward(t[0]), x);
        GradAssert.Passes(t => t[0].Conv2d(t[1], t[2], padding: 1), x,
            Tensor.FromArray(conv.Weight.ToArray(), 16, 16, 3, 3).RequireGrad(), Tensor.FromArray(conv.Bias!.ToArray(), 16).RequireGrad());
        // Exact mode: bitwise the direct im2col result; the default differs from it by rounding only.
        var auto = conv.Forward(x).ToArray();
        conv.Algorithm = ConvAlgorithm.Direct;
        var direct = conv.Forward(x).ToArray();
        var expected = ConvReference.Conv2d(x.ToArray(), 1, 16, 6, 6, conv.Weight.ToArray(), 16, 3, 3, conv.Bias.ToArray(), 1, 1, 1, 1, 1, 1, out _, out _);
        var reference = x.Conv2d(conv.Weight, conv.Bias, (1, 1), (1, 1), (1, 1), ConvAlgorithm.Direct).ToArray();
        Assert.Equal(reference, direct);
        for (int i = 0; i < auto.Length; i++)
        {
            Assert.Equal(expected[i], direct[i], 1e-4f);
            Assert.Equal(expected[i], auto[i], 1e-4f);
        }
    }

    [Fact]
    public void Conv2d_forward_matches_a_direct_loop_and_adds_into_shared_inputs()
    {
        var x = GradAssert.Param(_rng, 1f, 2, 3, 8, 7);
        var wt = GradAssert.Param(_rng, 1f, 4, 3, 3, 2);
        var y = x.Conv2d(wt, null, (2, 1), (1, 1), (1, 2));
        var expected = ConvReference.Conv2d(x.ToArray(), 2, 3, 8, 7, wt.ToArray(), 4, 3, 2, null, 2, 1, 1, 1, 1, 2, out int oh, out int ow);
        Assert.Equal(new Shape(2, 4, oh, ow), y.Shape);
        var got = y.ToArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 1e-3f);
        // The same input used twice: its gradient must be the sum of both uses.
        GradAssert.Passes(t => t[0].Conv2d(t[1], padding: 1) + t[0].Conv2d(t[1], padding: 1).Relu(), x, wt);
    }

    [Fact]
    public void Conv2d_rejects_a_channel_mismatch_naming_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(1, 3, 5, 5).Conv2d(Tensor.Zeros(2, 4, 3, 3)));
        Assert.Contains("[1, 3, 5, 5]", e.Message);
        Assert.Contains("[2, 4, 3, 3]", e.Message);
    }

    [Fact]
    public void Conv1d_matches_finite_differences_with_stride_padding_and_dilation()
    {
        var x = GradAssert.Param(_rng, 1f, 2, 3, 11);
        var wt = GradAssert.Param(_rng, 0.5f, 4, 3, 3);
        var b = GradAssert.Param(_rng, 0.5f, 4);
        GradAssert.Passes(t => t[0].Conv1d(t[1], t[2], stride: 2, padding: 2, dilation: 2), x, wt, b);
        var y = x.Conv1d(wt, b, stride: 2, padding: 2, dilation: 2);
        Assert.Equal(new Shape(2, 4, 6), y.Shape);
    }

    [Theory]
    [InlineData(2, 2, 2, 0)]
    [InlineData(3, 2, 1, 1)]
    [InlineData(3, 1, 2, 1)]
    public void MaxPool2d_matches_finite_differences(int k, int s1, int s2, int pad)
    {
        // Distinct, well separated values so no finite-difference step changes the argmax.
        var x = Distinct(2, 3, 7, 6);
        GradAssert.Passes(t => t[0].MaxPool2d((k, k), (s1, s2), (pad, pad)), x);
    }

    [Fact]
    public void MaxPool1d_matches_finite_differences_and_halves_the_length()
    {
        var x = Distinct(2, 2, 9).Reshape(2, 2, 9).Contiguous();
        var leaf = Tensor.FromArray(x.ToArray(), 2, 2, 9).RequireGrad();
        GradAssert.Passes(t => t[0].MaxPool1d(2), leaf);
        Assert.Equal(new Shape(2, 2, 4), leaf.MaxPool1d(2).Shape);
    }

    [Theory]
    [InlineData(2, 2, 0, true)]
    [InlineData(3, 2, 1, true)]
    [InlineData(3, 2, 1, false)]
    public void AvgPool2d_matches_finite_differences(int k, int s, int pad, bool countIncludePad)
    {
        var x = GradAssert.Param(_rng, 1f, 2, 3, 7, 6);
        GradAssert.Passes(t => t[0].AvgPool2d(k, s, pad, countIncludePad), x);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    public void AdaptiveAvgPool2d_matches_finite_differences(int oh, int ow)
    {
        var x = GradAssert.Param(_rng, 1f, 2, 3, 7, 5);
        GradAssert.Passes(t => t[0].AdaptiveAvgPool2d(oh, ow), x);
    }

    [Fact]
    public void BatchNormChannels_matches_finite_differences_in_training_and_evaluation()
    {
        var x = GradAssert.Param(_rng, 1f, 3, 2, 4, 3);
        var gamma = GradAssert.Param(_rng, 1f, 2);
        var beta = GradAssert.Param(_rng, 1f, 2);
        var rm = Tensor.FromArray([0.1f, -0.2f], 2);
        var rv = Tensor.FromArray([0.5f, 2f], 2);
        GradAssert.Passes(t => t[0].BatchNormChannels(t[1], t[2], rm, rv, training: true), x, gamma, beta);
        GradAssert.Passes(t => t[0].BatchNormChannels(t[1], t[2], rm, rv, training: false), x, gamma, beta);
    }

    private Tensor Distinct(params int[] shape)
    {
        int n = new Shape(shape).Numel;
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = i * 0.1f;
        _rng.Shuffle(values.AsSpan());
        var t = Tensor.FromArray(values, shape);
        t.RequiresGrad = true;
        return t;
    }
}
