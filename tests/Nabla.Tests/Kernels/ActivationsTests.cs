using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

public class ActivationsTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    private static void CheckAllLengths(KernelPath path, string name, Action<float[], float[]> kernel, Func<double, double> reference,
        double abs, double rel, float lo = -10f, float hi = 10f)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, 7 * n + 1, lo, hi);
            var dst = new float[n];
            kernel(x, dst);
            AssertClose(dst, i => reference(x[i]), abs, rel, $"{name} n={n} {path}");

            // In place must give the same numbers.
            kernel(x, x);
            AssertClose(x, i => dst[i], 0, 0, $"{name} in place n={n} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void LeakyRelu_matches_scalar_reference_for_every_length_up_to_256(KernelPath path) =>
        CheckAllLengths(path, "LeakyRelu", (x, d) => Activations.LeakyRelu(x, 0.01f, d, path),
            v => v > 0 ? v : 0.01 * v, 0, 1e-7);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Elu_matches_scalar_reference_for_every_length_up_to_256(KernelPath path) =>
        CheckAllLengths(path, "Elu", (x, d) => Activations.Elu(x, 1.5f, d, path),
            v => v > 0 ? v : 1.5 * (Math.Exp(v) - 1), 1e-30, 4e-7);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Elu_is_relatively_accurate_for_tiny_negative_inputs(KernelPath path) =>
        CheckAllLengths(path, "Elu small", (x, d) => Activations.Elu(x, 1f, d, path),
            v => v > 0 ? v : Math.Exp(v) - 1, 1e-30, 4e-7, -0.3f, 0.01f);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Gelu_matches_scalar_reference_for_every_length_up_to_256(KernelPath path) =>
        CheckAllLengths(path, "Gelu", (x, d) => Activations.Gelu(x, d, path),
            v => v * Phi(v), 2e-7, 5e-7);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Gelu_keeps_relative_accuracy_in_the_left_tail(KernelPath path) =>
        CheckAllLengths(path, "Gelu tail", (x, d) => Activations.Gelu(x, d, path),
            v => v * Phi(v), 1e-37, 1e-5, -12f, -1f);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Softplus_matches_scalar_reference_for_every_length_up_to_256(KernelPath path) =>
        CheckAllLengths(path, "Softplus", (x, d) => Activations.Softplus(x, d, path),
            v => Math.Max(v, 0) + Log1p(Math.Exp(-Math.Abs(v))), 1e-30, 4e-7, -30f, 30f);

    // Double's log(1 + t) cancels for tiny t just like float's does, so the reference uses the series there.
    private static double Log1p(double t) => t < 1e-4 ? t - t * t / 2 + t * t * t / 3 : Math.Log(1 + t);

    [Fact]
    public void Relu_Sigmoid_and_Tanh_match_their_definitions()
    {
        float[] x = Uniform(300, 11, -20f, 20f);
        var y = new float[300];
        Activations.Relu(x, y);
        AssertClose(y, i => Math.Max(x[i], 0), 0, 0, "Relu");
        Activations.Sigmoid(x, y);
        AssertClose(y, i => 1 / (1 + Math.Exp(-x[i])), 1e-7, 1e-6, "Sigmoid");
        Activations.Tanh(x, y);
        AssertClose(y, i => Math.Tanh(x[i]), 1e-7, 1e-6, "Tanh");
    }

    [Fact]
    public void Activations_of_extreme_inputs_are_finite_or_the_exact_limit()
    {
        float[] x = [float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, 100f, -100f];
        var y = new float[x.Length];
        Activations.Gelu(x, y);
        Assert.Equal([float.MaxValue, -0f, float.PositiveInfinity, float.NaN, 100f, -0f], y);
        Activations.Elu(x, 1f, y);
        Assert.Equal([float.MaxValue, -1f, float.PositiveInfinity, -1f, 100f, -1f], y);
        Activations.Softplus(x, y);
        Assert.Equal([float.MaxValue, 0f, float.PositiveInfinity, 0f, 100f, MathF.Exp(-100f)], y);
    }

    [Fact]
    public void Elu_rejects_a_negative_alpha()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Elu(new float[1], -1f, new float[1]));
    }
}
