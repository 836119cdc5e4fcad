using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

public class SoftmaxKernelsTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    private static double[] SoftmaxRef(ReadOnlySpan<float> row)
    {
        double m = double.NegativeInfinity;
        foreach (float v in row)
        {
            m = Math.Max(m, v);
        }

        var e = new double[row.Length];
        double s = 0;
        for (int i = 0; i < row.Length; i++)
        {
            e[i] = Math.Exp(row[i] - m);
            s += e[i];
        }

        for (int i = 0; i < row.Length; i++)
        {
            e[i] /= s;
        }

        return e;
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void SumExpShifted_matches_double_reference_for_every_length_up_to_256(KernelPath path)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, n + 3, -20f, 0f);
            double expected = x.Sum(v => Math.Exp(v - 0.5));
            Assert.Equal(expected, SoftmaxKernels.SumExpShifted(x, 0.5f, path), Math.Max(1e-6, expected * 2e-6));
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Softmax_and_LogSoftmax_match_double_reference_for_many_row_lengths(KernelPath path)
    {
        foreach (int cols in new[] { 1, 2, 7, 8, 15, 16, 17, 33, 100, 257 })
        {
            const int rows = 3;
            float[] x = Uniform(rows * cols, cols, -30f, 30f);
            var y = new float[rows * cols];
            var ly = new float[rows * cols];
            SoftmaxKernels.Softmax(x, rows, cols, y);
            SoftmaxKernels.LogSoftmax(x, rows, cols, ly, path);
            for (int r = 0; r < rows; r++)
            {
                double[] p = SoftmaxRef(x.AsSpan(r * cols, cols));
                AssertClose(y.AsSpan(r * cols, cols), i => p[i], 1e-7, 2e-6, $"Softmax cols={cols}");
                AssertClose(ly.AsSpan(r * cols, cols), i => Math.Log(p[i]), 2e-6, 1e-6, $"LogSoftmax cols={cols} {path}");
                Assert.Equal(1.0, y.AsSpan(r * cols, cols).ToArray().Sum(v => (double)v), 1e-5);
            }
        }
    }

    [Fact]
    public void Softmax_is_stable_for_huge_inputs()
    {
        float[] x = [1e4f, -1e4f, 1e4f - 1f, 0f, 3e38f, -3e38f];
        var y = new float[x.Length];
        SoftmaxKernels.Softmax(x, 2, 3, y);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1 / (1 + Math.Exp(-1)), y[0], 1e-6);
        Assert.Equal(0f, y[1]);
        Assert.Equal([0f, 1f, 0f], y[3..]);

        SoftmaxKernels.LogSoftmax(x, 2, 3, y);
        Assert.All(y, v => Assert.False(float.IsNaN(v)));
        Assert.Equal(-Math.Log(1 + Math.Exp(-1)), y[0], 1e-6);
        Assert.Equal(-1 - Math.Log(1 + Math.Exp(-1)), y[2], 1e-5);
        Assert.Equal(-2e4 - Math.Log(1 + Math.Exp(-1)), y[1], 1e-2);
    }

    [Fact]
    public void Softmax_and_LogSoftmax_work_in_place()
    {
        float[] x = Uniform(2 * 19, 4);
        var expectedY = new float[x.Length];
        var expectedL = new float[x.Length];
        SoftmaxKernels.Softmax(x, 2, 19, expectedY);
        SoftmaxKernels.LogSoftmax(x, 2, 19, expectedL);
        float[] a = (float[])x.Clone();
        float[] b = (float[])x.Clone();
        SoftmaxKernels.Softmax(a, 2, 19, a);
        SoftmaxKernels.LogSoftmax(b, 2, 19, b);
        Assert.Equal(expectedY, a);
        Assert.Equal(expectedL, b);
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void SoftmaxGrad_matches_central_differences_of_a_double_softmax(KernelPath path) =>
        CheckBackward(path, logSoftmax: false);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void LogSoftmaxGrad_matches_central_differences_of_a_double_log_softmax(KernelPath path) =>
        CheckBackward(path, logSoftmax: true);

    /// <summary>L = Σ g·f(x) differenced in double per input, against the kernel's dx; then accumulation.</summary>
    private static void CheckBackward(KernelPath path, bool logSoftmax)
    {
        foreach (int cols in new[] { 1, 5, 8, 16, 23, 40 })
        {
            const int rows = 2;
            float[] x = Uniform(rows * cols, cols + 1, -3f, 3f);
            float[] g = Uniform(rows * cols, cols + 2, -1f, 1f);
            var y = new float[rows * cols];
            if (logSoftmax)
            {
                SoftmaxKernels.LogSoftmax(x, rows, cols, y);
            }
            else
            {
                SoftmaxKernels.Softmax(x, rows, cols, y);
            }

            var dx = new float[rows * cols];
            if (logSoftmax)
            {
                SoftmaxKernels.LogSoftmaxGrad(y, g, rows, cols, dx, false, path);
            }
            else
            {
                SoftmaxKernels.SoftmaxGrad(y, g, rows, cols, dx, false, path);
            }

            AssertClose(dx, flat =>
            {
                int r = flat / cols, c = flat % cols;
                double Loss(double delta)
                {
                    float[] row = x.AsSpan(r * cols, cols).ToArray();
                    var shifted = row.Select(v => (double)v).ToArray();
                    shifted[c] += delta;
                    double m = shifted.Max();
                    double s = shifted.Sum(v => Math.Exp(v - m));
                    double l = 0;
                    for (int j = 0; j < cols; j++)
                    {
                        double f = logSoftmax ? shifted[j] - m - Math.Log(s) : Math.Exp(shifted[j] - m) / s;
                        l += g[r * cols + j] * f;
                    }

                    return l;
                }

                return CentralDifference(Loss, 0, 1e-5);
            }, 2e-6, 1e-5, $"{(logSoftmax ? "LogSoftmaxGrad" : "SoftmaxGrad")} cols={cols} {path}");

            float[] acc = Uniform(rows * cols, 9);
            float[] start = (float[])acc.Clone();
            if (logSoftmax)
            {
                SoftmaxKernels.LogSoftmaxGrad(y, g, rows, cols, acc, true, path);
            }
            else
            {
                SoftmaxKernels.SoftmaxGrad(y, g, rows, cols, acc, true, path);
            }

            AssertClose(acc, i => start[i] + (double)dx[i], 1e-6, 1e-6, "accumulate");
        }
    }

    [Fact]
    public void LogSoftmax_matches_the_log_of_Softmax()
    {
        float[] x = Uniform(4 * 50, 77, -10f, 10f);
        var y = new float[x.Length];
        var ly = new float[x.Length];
        SoftmaxKernels.Softmax(x, 4, 50, y);
        SoftmaxKernels.LogSoftmax(x, 4, 50, ly);
        AssertClose(ly, i => Math.Log(y[i]), 1e-5, 1e-5, "log softmax vs log(softmax)");
    }

    [Fact]
    public void SoftmaxCrossEntropy_matches_mean_negative_log_softmax_and_its_gradient()
    {
        const int rows = 5, cols = 13;
        float[] x = Uniform(rows * cols, 8, -5f, 5f);
        x[0] = 1e4f;
        int[] t = [0, 12, 3, 3, 7];
        var ly = new float[x.Length];
        SoftmaxKernels.LogSoftmax(x, rows, cols, ly);
        double expected = -Enumerable.Range(0, rows).Average(r => (double)ly[r * cols + t[r]]);

        var d = new float[x.Length];
        float loss = CrossEntropyKernels.SoftmaxCrossEntropy(x, t, rows, cols, d);
        Assert.Equal(expected, loss, 1e-5);
        Assert.Equal(loss, CrossEntropyKernels.SoftmaxCrossEntropy(x, t, rows, cols, []));
        AssertClose(d, i => (Math.Exp(ly[i]) - (i % cols == t[i / cols] ? 1 : 0)) / rows, 1e-7, 1e-5, "dlogits");
    }

    [Fact]
    public void SoftmaxCrossEntropy_names_the_row_of_an_out_of_range_target()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            CrossEntropyKernels.SoftmaxCrossEntropy(new float[6], [0, 3], 2, 3, []));
        Assert.Contains("row 1", ex.Message, StringComparison.Ordinal);
    }
}
