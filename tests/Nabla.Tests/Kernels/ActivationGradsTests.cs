using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

public class ActivationGradsTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    private const float LeakyAlpha = 0.1f;
    private const float EluAlpha = 1.3f;

    private static double EluRef(double x) => x > 0 ? x : EluAlpha * (Math.Exp(x) - 1);

    private static double GeluRef(double x) => x * Phi(x);

    private static double SoftplusRef(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double SigmoidRef(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// Runs a gradient kernel on every length and checks dx = g·f′ against a double reference,
    /// both overwriting and accumulating into a pre-filled dx.
    /// </summary>
    private static void CheckGrad(KernelPath path, string name, Func<double, double> forwardInput, Func<double, double> derivative,
        Action<float[], float[], float[], bool> grad, double abs, double rel)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, 3 * n + 5, -6f, 6f);
            float[] input = x.Select(v => (float)forwardInput(v)).ToArray();
            float[] g = Uniform(n, 5 * n + 9, -2f, 2f);
            var dx = new float[n];
            grad(input, g, dx, false);
            AssertClose(dx, i => g[i] * derivative(x[i]), abs, rel, $"{name} n={n} {path}");

            float[] acc = Uniform(n, n + 13, -1f, 1f);
            float[] start = (float[])acc.Clone();
            grad(input, g, acc, true);
            AssertClose(acc, i => start[i] + (double)dx[i], 1e-6, 1e-6, $"{name} accumulate n={n} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void ReluGrad_passes_gradient_only_where_x_is_positive(KernelPath path) =>
        CheckGrad(path, "ReluGrad", v => v, v => v > 0 ? 1 : 0,
            (x, g, dx, acc) => ActivationGrads.ReluGrad(x, g, dx, acc, path), 0, 0);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void LeakyReluGrad_matches_analytic_derivative_for_every_length(KernelPath path) =>
        CheckGrad(path, "LeakyReluGrad", v => v, v => v > 0 ? 1 : LeakyAlpha,
            (x, g, dx, acc) => ActivationGrads.LeakyReluGrad(x, g, LeakyAlpha, dx, acc, path), 1e-8, 1e-6);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void EluGrad_from_output_matches_analytic_derivative_for_every_length(KernelPath path) =>
        CheckGrad(path, "EluGrad", EluRef, v => v > 0 ? 1 : EluAlpha * Math.Exp(v),
            (y, g, dx, acc) => ActivationGrads.EluGrad(y, g, EluAlpha, dx, acc, path), 1e-6, 1e-6);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void GeluGrad_matches_analytic_derivative_for_every_length(KernelPath path) =>
        CheckGrad(path, "GeluGrad", v => v, v => Phi(v) + v * PhiDensity(v),
            (x, g, dx, acc) => ActivationGrads.GeluGrad(x, g, dx, acc, path), 5e-7, 1e-6);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void SigmoidGrad_from_output_matches_analytic_derivative_for_every_length(KernelPath path) =>
        CheckGrad(path, "SigmoidGrad", SigmoidRef, v => SigmoidRef(v) * (1 - SigmoidRef(v)),
            (y, g, dx, acc) => ActivationGrads.SigmoidGrad(y, g, dx, acc, path), 3e-7, 1e-6);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void TanhGrad_from_output_matches_analytic_derivative_for_every_length(KernelPath path) =>
        CheckGrad(path, "TanhGrad", Math.Tanh, v => 1 - Math.Tanh(v) * Math.Tanh(v),
            (y, g, dx, acc) => ActivationGrads.TanhGrad(y, g, dx, acc, path), 5e-7, 1e-6);

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void SoftplusGrad_matches_analytic_derivative_for_every_length(KernelPath path) =>
        CheckGrad(path, "SoftplusGrad", v => v, SigmoidRef,
            (x, g, dx, acc) => ActivationGrads.SoftplusGrad(x, g, dx, acc, path), 3e-7, 1e-6);

    /// <summary>The analytic derivatives the tests trust are themselves checked by differencing the forward formulas.</summary>
    [Fact]
    public void Reference_derivatives_match_central_differences_of_the_forward_references()
    {
        foreach (double x in new[] { -5.5, -2.2, -0.7, -0.1, 0.3, 1.1, 2.9, 4.4 })
        {
            Assert.Equal(EluAlpha * Math.Exp(x) * (x > 0 ? 0 : 1) + (x > 0 ? 1 : 0), CentralDifference(EluRef, x), 1e-6);
            Assert.Equal(Phi(x) + x * PhiDensity(x), CentralDifference(GeluRef, x), 1e-6);
            Assert.Equal(SigmoidRef(x), CentralDifference(SoftplusRef, x), 1e-6);
            Assert.Equal(SigmoidRef(x) * (1 - SigmoidRef(x)), CentralDifference(SigmoidRef, x), 1e-6);
            Assert.Equal(1 - Math.Tanh(x) * Math.Tanh(x), CentralDifference(Math.Tanh, x), 1e-6);
        }
    }

    /// <summary>Gradient kernels agree with differences of the float forward kernels they pair with.</summary>
    [Fact]
    public void Gradients_match_central_differences_of_the_forward_kernels()
    {
        float[] x = Uniform(64, 21, -4f, 4f).Select(v => MathF.Abs(v) < 0.05f ? v + 0.1f : v).ToArray();
        const float h = 1e-2f;
        float[] xp = x.Select(v => v + h).ToArray();
        float[] xm = x.Select(v => v - h).ToArray();
        float[] ones = Enumerable.Repeat(1f, x.Length).ToArray();
        var yp = new float[x.Length];
        var ym = new float[x.Length];
        var y = new float[x.Length];
        var dx = new float[x.Length];

        void Check(string name, Action<float[], float[]> forward, Action<float[], float[]> gradient)
        {
            forward(xp, yp);
            forward(xm, ym);
            gradient(x, dx);
            AssertClose(dx, i => (yp[i] - (double)ym[i]) / (xp[i] - (double)xm[i]), 2e-3, 1e-3, name);
        }

        Check("Gelu", (a, d) => Activations.Gelu(a, d), (a, d) => ActivationGrads.GeluGrad(a, ones, d));
        Check("Softplus", (a, d) => Activations.Softplus(a, d), (a, d) => ActivationGrads.SoftplusGrad(a, ones, d));
        Check("LeakyRelu", (a, d) => Activations.LeakyRelu(a, LeakyAlpha, d), (a, d) => ActivationGrads.LeakyReluGrad(a, ones, LeakyAlpha, d));
        Check("Elu", (a, d) => Activations.Elu(a, EluAlpha, d), (a, d) =>
        {
            Activations.Elu(a, EluAlpha, y);
            ActivationGrads.EluGrad(y, ones, EluAlpha, d);
        });
        Check("Sigmoid", (a, d) => Activations.Sigmoid(a, d), (a, d) =>
        {
            Activations.Sigmoid(a, y);
            ActivationGrads.SigmoidGrad(y, ones, d);
        });
        Check("Tanh", (a, d) => Activations.Tanh(a, d), (a, d) =>
        {
            Activations.Tanh(a, y);
            ActivationGrads.TanhGrad(y, ones, d);
        });
    }

    [Fact]
    public void ReluGrad_blocks_an_infinite_upstream_gradient_where_x_is_not_positive()
    {
        float[] dx = [5f, 5f];
        ActivationGrads.ReluGrad([-1f, 0f], [float.PositiveInfinity, float.NaN], dx);
        Assert.Equal([0f, 0f], dx);
    }
}
