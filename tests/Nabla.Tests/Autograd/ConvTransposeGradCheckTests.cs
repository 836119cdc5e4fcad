using Nabla.Autograd;
using Nabla.Tensors;
using Nabla.Tests.Kernels;

namespace Nabla.Tests.Autograd;

public class ConvTransposeGradCheckTests
{
    private readonly Rng _rng = new(17);

    [Theory]
    //          n  c  h  w  o  kh kw sh sw ph pw oph opw dh dw groups
    [InlineData(2, 2, 3, 4, 3, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, 1)]
    [InlineData(1, 3, 4, 3, 2, 2, 3, 1, 2, 0, 1, 0, 1, 2, 1, 1)]
    [InlineData(2, 4, 2, 3, 6, 3, 2, 2, 1, 1, 0, 1, 0, 1, 1, 2)]
    [InlineData(1, 2, 3, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, 2, 1)]
    public void ConvTranspose2d_matches_finite_differences_for_input_weight_and_bias(int n, int c, int h, int w, int o, int kh, int kw,
        int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw, int groups)
    {
        var x = GradAssert.Param(_rng, 1f, n, c, h, w);
        var wt = GradAssert.Param(_rng, 0.5f, c, o / groups, kh, kw);
        var b = GradAssert.Param(_rng, 0.5f, o);
        GradAssert.Passes(t => t[0].ConvTranspose2d(t[1], t[2], (sh, sw), (ph, pw), (oph, opw), (dh, dw), groups), x, wt, b);
    }

    [Fact]
    public void ConvTranspose2d_is_the_adjoint_of_conv2d()
    {
        // ⟨conv2d(u, W), v⟩ = ⟨u, conv_transpose2d(v, W)⟩ for the same stride, padding and dilation:
        // the defining property, checked against the direct convolution loop.
        var u = Tensor.Randn(new Shape(2, 3, 9, 8), _rng);
        var wt = Tensor.Randn(new Shape(4, 3, 3, 2), _rng);
        var conv = ConvReference.Conv2d(u.ToArray(), 2, 3, 9, 8, wt.ToArray(), 4, 3, 2, null, 2, 2, 1, 0, 1, 2, out int oh, out int ow);
        var v = Tensor.Randn(new Shape(2, 4, oh, ow), _rng);
        // 9×8 → 5×3 (rows (9 + 2 − 2 − 1)/2 + 1, columns (8 − 2 − 1)/2 + 1); back to 9×8 with output padding (0, 1).
        var back = v.ConvTranspose2d(wt, null, (2, 2), (1, 0), (0, 1), (1, 2));
        Assert.Equal(u.Shape, back.Shape);
        double left = 0, right = 0;
        var vv = v.ToArray();
        for (int i = 0; i < conv.Length; i++) left += (double)conv[i] * vv[i];
        var uu = u.ToArray();
        var bb = back.ToArray();
        for (int i = 0; i < uu.Length; i++) right += (double)uu[i] * bb[i];
        Assert.Equal(left, right, 3);
    }

    [Fact]
    public void ConvTranspose2d_rejects_a_channel_mismatch_and_a_too_large_output_padding_naming_the_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(1, 3, 5, 5).ConvTranspose2d(Tensor.Zeros(2, 4, 3, 3)));
        Assert.Contains("[1, 3, 5, 5]", e.Message);
        Assert.Contains("[2, 4, 3, 3]", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(1, 2, 5, 5).ConvTranspose2d(Tensor.Zeros(2, 4, 3, 3), stride: 2, outputPadding: 2));
        Assert.Contains("output padding", e.Message);
    }

    [Theory]
    [InlineData(false, false, 7, 9, 0.0)]
    [InlineData(false, false, 6, 8, 2.0)]
    [InlineData(true, false, 7, 5, 0.0)]
    [InlineData(true, true, 7, 5, 0.0)]
    [InlineData(true, false, 1, 2, 0.5)]
    public void Upsample_matches_finite_differences(bool bilinear, bool alignCorners, int oh, int ow, double scale)
    {
        var x = GradAssert.Param(_rng, 1f, 2, 2, 3, 4);
        GradAssert.Passes(t => bilinear ? t[0].UpsampleBilinear2d(oh, ow, alignCorners, scale, scale) : t[0].UpsampleNearest2d(oh, ow, scale, scale), x);
    }
}
