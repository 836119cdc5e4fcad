using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

public class ElementwiseTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Step_is_one_exactly_where_x_is_positive_for_every_length_up_to_256(KernelPath path)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, n, -2f, 2f);
            if (n > 3)
            {
                x[0] = 0f;
                x[1] = -0f;
                x[2] = float.NaN;
                x[3] = float.Epsilon;
            }

            var dst = new float[n];
            Elementwise.Step(x, dst, path);
            AssertClose(dst, i => x[i] > 0 ? 1 : 0, 0, 0, $"Step n={n} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Erf_matches_double_reference_for_every_length_up_to_256(KernelPath path)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, 100 + n, -5f, 5f);
            var dst = new float[n];
            Elementwise.Erf(x, dst, path);
            AssertClose(dst, i => Erf(x[i]), 2.5e-7, 0, $"Erf n={n} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Erf_keeps_relative_accuracy_near_zero_and_saturates_at_infinity(KernelPath path)
    {
        float[] x = [1e-30f, -1e-7f, 1e-4f, 0.3f, -0.49999f, 0.5f, 0.50001f, 10f, -10f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, 2f, -3f, 4f];
        var dst = new float[x.Length];
        Elementwise.Erf(x, dst, path);
        AssertClose(dst, i => float.IsNaN(x[i]) ? double.NaN : Erf(x[i]), 1e-30, 4e-7, $"Erf specials {path}");
    }

    [Fact]
    public void Erf_worst_error_over_a_dense_grid_is_below_2e_7()
    {
        const int n = 200_001;
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = -6f + 12f * i / (n - 1);
        }

        var dst = new float[n];
        Elementwise.Erf(x, dst);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            worst = Math.Max(worst, Math.Abs(dst[i] - Erf(x[i])));
        }

        Assert.True(worst < 2e-7, $"worst absolute erf error {worst:E3}");
    }

    [Fact]
    public void AddScaled_adds_alpha_times_x_into_y()
    {
        float[] x = Uniform(37, 1);
        float[] y = Uniform(37, 2);
        float[] before = (float[])y.Clone();
        Elementwise.AddScaled(x, -0.5f, y);
        AssertClose(y, i => before[i] - 0.5 * x[i], 1e-6, 1e-6, "AddScaled");
    }

    [Fact]
    public void Fill_Square_and_Clamp_match_their_definitions()
    {
        float[] x = Uniform(41, 3);
        var dst = new float[41];
        Elementwise.Fill(dst, 2.5f);
        Assert.All(dst, v => Assert.Equal(2.5f, v));
        Elementwise.Square(x, dst);
        AssertClose(dst, i => (double)x[i] * x[i], 0, 1e-7, "Square");
        Elementwise.Clamp(x, -1f, 3f, dst);
        AssertClose(dst, i => Math.Clamp(x[i], -1f, 3f), 0, 0, "Clamp");
    }

    [Fact]
    public void Clamp_with_reversed_bounds_throws_and_names_them()
    {
        var ex = Assert.Throws<ArgumentException>(() => Elementwise.Clamp(new float[2], 1f, -1f, new float[2]));
        Assert.Contains("lo = 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mismatched_lengths_throw_with_both_lengths_in_the_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => Elementwise.Step(new float[3], new float[2]));
        Assert.Contains("length 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("length 3", ex.Message, StringComparison.Ordinal);
    }
}
