using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public class SequencePoolOpsTests
{
    private static readonly Tensor Mask = Tensor.FromArray([1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0], 3, 4);

    [Fact]
    public void Average_pooling_backward_matches_finite_differences_with_and_without_mask()
    {
        var rng = new Rng(11);
        var x = GradAssert.Param(rng, 1f, 3, 4, 5);
        GradAssert.Passes(a => a[0].GlobalAvgPool1d(), x);
        GradAssert.Passes(a => a[0].GlobalAvgPool1d(Mask), x);
    }

    [Fact]
    public void Max_pooling_backward_matches_finite_differences_with_and_without_mask()
    {
        var x = Spaced(new Rng(12), 3, 4, 5);
        GradAssert.Passes(a => a[0].GlobalMaxPool1d(), x);
        GradAssert.Passes(a => a[0].GlobalMaxPool1d(Mask), x);
    }

    /// <summary>Distinct values at least 0.1 apart (a shuffled grid), so no finite difference crosses a tie of the max.</summary>
    internal static Tensor Spaced(Rng rng, params int[] shape)
    {
        var t = Tensor.Zeros(new Shape(shape));
        var values = Enumerable.Range(0, t.Numel).Select(i => (i - t.Numel / 2) * 0.1f).ToArray();
        rng.Shuffle(values.AsSpan());
        values.CopyTo(t.AsSpan());
        return t.RequireGrad();
    }

    [Fact]
    public void Padding_positions_are_ignored_and_an_all_padding_row_gives_zeros()
    {
        var x = Tensor.Randn(new Shape(3, 4, 2), new Rng(13));
        // Padding positions hold huge values: if they leaked in, the results would show it.
        for (int n = 0; n < 3; n++)
            for (int t = 0; t < 4; t++)
                if (Mask[n, t] == 0) { x[n, t, 0] = 1000f; x[n, t, 1] = 1000f; }
        var mean = x.GlobalAvgPool1d(Mask);
        var max = x.GlobalMaxPool1d(Mask);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal((x[0, 0, c] + x[0, 1, c]) / 2, mean[0, c], 6);
            Assert.Equal((x[1, 0, c] + x[1, 2, c] + x[1, 3, c]) / 3, mean[1, c], 6);
            Assert.Equal(0f, mean[2, c]);
            Assert.Equal(MathF.Max(x[0, 0, c], x[0, 1, c]), max[0, c]);
            Assert.Equal(MathF.Max(x[1, 0, c], MathF.Max(x[1, 2, c], x[1, 3, c])), max[1, c]);
            Assert.Equal(0f, max[2, c]);
        }
    }

    [Fact]
    public void Without_a_mask_every_position_counts()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6], 1, 3, 2);
        Assert.Equal([3f, 4f], x.GlobalAvgPool1d().ToArray());
        Assert.Equal([5f, 6f], x.GlobalMaxPool1d().ToArray());
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_named()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(2, 3).GlobalAvgPool1d());
        Assert.Contains("[N, T, C]", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(2, 3, 4).GlobalMaxPool1d(Tensor.Zeros(2, 4)));
        Assert.Contains("[2, 3]", e.Message);
    }
}
