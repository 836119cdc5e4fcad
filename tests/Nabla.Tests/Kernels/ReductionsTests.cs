using System.Numerics.Tensors;
using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

public class ReductionsTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    public static IEnumerable<object[]> OddShapes()
    {
        int[] sizes = [1, 3, 17];
        foreach (int o in sizes)
        {
            foreach (int a in sizes)
            {
                foreach (int i in sizes)
                {
                    yield return [o, a, i];
                }
            }
        }

        yield return new object[] { 2, 5, 300 };
        yield return new object[] { 1, 1000, 1 };
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Sum_and_SumOfSquares_match_double_loops_for_every_length_up_to_256(KernelPath path)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, n + 40, -3f, 3f);
            double sum = 0, squares = 0;
            foreach (float v in x)
            {
                sum += v;
                squares += (double)v * v;
            }

            Assert.Equal(sum, Reductions.SumAsDouble(x, path), 1e-9);
            Assert.Equal(squares, Reductions.SumOfSquaresAsDouble(x, path), 1e-9);
        }
    }

    [Fact]
    public void Sum_of_a_million_floats_is_within_float_rounding_of_the_exact_sum()
    {
        // 0.1f is not representable; a float accumulator drifts far from n·0.1f.
        var x = new float[1_000_000];
        Array.Fill(x, 0.1f);
        double exact = 1_000_000 * (double)0.1f;
        Assert.Equal((float)exact, Reductions.Sum(x));
        Assert.Equal((float)(1_000_000 * (double)0.1f * 0.1f), Reductions.SumOfSquares(x));

        // For the record: how far TensorPrimitives.Sum lands from the exact value on this input.
        double tpError = Math.Abs(TensorPrimitives.Sum(x) - exact) / exact;
        Assert.True(tpError < 1e-3, $"TensorPrimitives.Sum relative error {tpError:E2}");
    }

    [Fact]
    public void Sum_of_an_empty_span_is_zero()
    {
        Assert.Equal(0f, Reductions.Sum([]));
        Assert.Equal(0f, Reductions.SumOfSquares([]));
    }

    [Theory]
    [MemberData(nameof(OddShapes))]
    public void SumAxis_matches_a_naive_loop_and_accumulates(int outer, int axis, int inner)
    {
        float[] src = Uniform(outer * axis * inner, outer * 100 + axis * 10 + inner);
        var dst = new float[outer * inner];
        Reductions.SumAxis(src, outer, axis, inner, dst);
        AssertClose(dst, j => NaiveSum(src, outer, axis, inner, j), 1e-5, 1e-6, $"SumAxis [{outer},{axis},{inner}]");

        float[] acc = Uniform(outer * inner, 5);
        float[] start = (float[])acc.Clone();
        Reductions.SumAxis(src, outer, axis, inner, acc, accumulate: true);
        AssertClose(acc, j => start[j] + NaiveSum(src, outer, axis, inner, j), 1e-5, 1e-6, "SumAxis accumulate");
    }

    [Fact]
    public void SumAxis_over_an_empty_axis_writes_zeros()
    {
        float[] dst = [7f, 7f];
        Reductions.SumAxis([], 1, 0, 2, dst);
        Assert.Equal([0f, 0f], dst);
    }

    [Theory]
    [MemberData(nameof(OddShapes))]
    public void MaxAxis_and_ArgMaxAxis_match_a_naive_loop(int outer, int axis, int inner)
    {
        // Few distinct values so ties are common.
        float[] src = Uniform(outer * axis * inner, outer + axis + inner, 0f, 4f).Select(MathF.Floor).ToArray();
        var max = new float[outer * inner];
        var idx = new int[outer * inner];
        var arg = new int[outer * inner];
        Reductions.MaxAxis(src, outer, axis, inner, max, idx);
        Reductions.ArgMaxAxis(src, outer, axis, inner, arg);
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < inner; j++)
            {
                int best = 0;
                for (int k = 1; k < axis; k++)
                {
                    if (src[(o * axis + k) * inner + j] > src[(o * axis + best) * inner + j])
                    {
                        best = k;
                    }
                }

                Assert.Equal(best, idx[o * inner + j]);
                Assert.Equal(best, arg[o * inner + j]);
                Assert.Equal(src[(o * axis + best) * inner + j], max[o * inner + j]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(600)]
    public void ArgMax_ties_pick_the_first_index_and_NaN_counts_as_the_maximum(int inner)
    {
        float[] ties = new float[4 * inner];
        for (int j = 0; j < inner; j++)
        {
            ties[0 * inner + j] = 1f;
            ties[1 * inner + j] = 5f;
            ties[2 * inner + j] = 5f;
            ties[3 * inner + j] = 5f;
        }

        var arg = new int[inner];
        Reductions.ArgMaxAxis(ties, 1, 4, inner, arg);
        Assert.All(arg, a => Assert.Equal(1, a));

        for (int j = 0; j < inner; j++)
        {
            ties[2 * inner + j] = float.NaN;
            ties[3 * inner + j] = float.NaN;
        }

        var max = new float[inner];
        Reductions.MaxAxis(ties, 1, 4, inner, max, arg);
        Assert.All(arg, a => Assert.Equal(2, a));
        Assert.All(max, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Reductions_reject_a_span_that_does_not_match_the_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Reductions.SumAxis(new float[10], 2, 3, 2, new float[4]));
        Assert.Contains("[2, 3, 2]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Reductions.ArgMaxAxis([], 2, 0, 1, new int[2]));
    }

    private static double NaiveSum(float[] src, int outer, int axis, int inner, int flat)
    {
        int o = flat / inner, j = flat % inner;
        double s = 0;
        for (int k = 0; k < axis; k++)
        {
            s += src[(o * axis + k) * inner + j];
        }

        return s;
    }
}
