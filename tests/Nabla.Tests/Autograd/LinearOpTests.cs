using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public class LinearOpTests
{
    private readonly Rng _rng = new(17);

    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(4, 5, 3)]
    [InlineData(5, 7, 6)]
    [InlineData(9, 20, 5)]
    public void Linear_matches_finite_differences_for_input_weight_and_bias(int rows, int inFeatures, int outFeatures)
    {
        var x = GradAssert.Param(_rng, 1f, rows, inFeatures);
        var w = GradAssert.Param(_rng, 0.5f, outFeatures, inFeatures);
        var b = GradAssert.Param(_rng, 0.5f, outFeatures);
        // Used twice so the accumulating (β = 1) backward path runs as well.
        GradAssert.Passes(t => t[0].Linear(t[1], t[2]) * t[0].Linear(t[1], t[2]), x, w, b);
        GradAssert.Passes(t => t[0].Linear(t[1], null).Square(), x, w);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(130)]
    public void Linear_equals_matmul_with_transposed_weight_plus_bias(int rows)
    {
        var x = Tensor.Randn(new Shape(rows, 37), _rng);
        var w = Tensor.Randn(new Shape(19, 37), _rng);
        var b = Tensor.Randn(new Shape(19), _rng);
        var expected = (x.MatMul(w.T()) + b).ToArray();
        var actual = x.Linear(w, b).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);
    }

    [Fact]
    public void Linear_names_all_shapes_when_they_do_not_fit()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(2, 3).Linear(Tensor.Zeros(4, 5), Tensor.Zeros(4)));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }

    [Fact]
    public void RowDots_matches_a_double_precision_loop_for_every_length_and_both_betas()
    {
        for (int k = 1; k <= 70; k += 3)
            for (int n = 1; n <= 9; n++)
                for (int m = 1; m <= RowDots.MaxRows; m++)
                {
                    var a = Tensor.Randn(new Shape(m, k), _rng).ToArray();
                    var bm = Tensor.Randn(new Shape(n, k), _rng).ToArray();
                    var c0 = Tensor.Randn(new Shape(m, n), _rng).ToArray();
                    foreach (float beta in new[] { 0f, 1f })
                    {
                        var c = (float[])c0.Clone();
                        RowDots.Compute(m, n, k, a, bm, beta, c);
                        for (int r = 0; r < m; r++)
                            for (int j = 0; j < n; j++)
                            {
                                double d = beta * c0[r * n + j];
                                for (int p = 0; p < k; p++) d += (double)a[r * k + p] * bm[j * k + p];
                                Assert.True(Math.Abs(d - c[r * n + j]) < 1e-4 * (1 + Math.Abs(d)), $"m={m} n={n} k={k} beta={beta} [{r},{j}]: {c[r * n + j]} vs {d}");
                            }
                    }
                }
    }
}
