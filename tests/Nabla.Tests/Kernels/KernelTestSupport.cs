using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>Shared inputs, double-precision references and comparisons for the kernel tests.</summary>
internal static class KernelTestSupport
{
    /// <summary>Every length 0..256 plus a few that exercise long runs and every tail size.</summary>
    public static IEnumerable<int> Lengths()
    {
        for (int n = 0; n <= 256; n++)
        {
            yield return n;
        }

        yield return 1000;
        yield return 4099;
    }

    public static IEnumerable<object[]> Paths() => KernelPaths.All.Select(p => new object[] { p });

    /// <summary>Uniform floats in [lo, hi) from a fixed seed, so failures reproduce.</summary>
    public static float[] Uniform(int n, int seed, float lo = -8f, float hi = 8f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)(lo + ((double)hi - lo) * rng.NextDouble());
        }

        return a;
    }

    /// <summary>Asserts |actual − expected| ≤ abs + rel·|expected| for every element, naming the first failure.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, Func<int, double> expected, double abs, double rel, string what)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected(i);
            double a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : Math.Abs(a - e) <= abs + rel * Math.Abs(e);
            Assert.True(ok, $"{what}: element {i} of {actual.Length} is {a:R}, expected {e:R} (error {Math.Abs(a - e):E3}).");
        }
    }

    /// <summary>erf in double: the all-positive series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(2n+1)!! (no cancellation).</summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) > 6)
        {
            return Math.Sign(x);
        }

        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 500 && Math.Abs(term) > 1e-18 * Math.Abs(sum); n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }

        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
    }

    /// <summary>erfc(z) in double for z ≥ 0, by continued fraction where 1 − erf would cancel.</summary>
    public static double Erfc(double z)
    {
        if (z < 3)
        {
            return 1 - Erf(z);
        }

        double k = 0;
        for (int n = 80; n >= 1; n--)
        {
            k = n / 2.0 / (z + k);
        }

        return Math.Exp(-z * z) / Math.Sqrt(Math.PI) / (z + k);
    }

    /// <summary>Standard normal CDF in double, relatively accurate in the left tail.</summary>
    public static double Phi(double x) => x < 0 ? 0.5 * Erfc(-x / Math.Sqrt(2)) : 1 - 0.5 * Erfc(x / Math.Sqrt(2));

    /// <summary>Standard normal density in double.</summary>
    public static double PhiDensity(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    /// <summary>Central difference (f(x+h) − f(x−h)) / 2h in double.</summary>
    public static double CentralDifference(Func<double, double> f, double x, double h = 1e-6) => (f(x + h) - f(x - h)) / (2 * h);
}
