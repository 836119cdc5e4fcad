using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// erf, the normal CDF Φ, expm1 and log1p in float for one element, 8 and 16 lanes, with the
/// same formulas on every width so the paths agree to rounding.
/// </summary>
/// <remarks>
/// erf(z) for |z| &lt; 0.5 is its Maclaurin series through z¹³ (truncation error &lt; 1e-9):
/// near 0 erf must keep its relative accuracy, which any erfc-based form loses to cancellation.
/// For |z| ≥ 0.5 erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), with the Chebyshev-fitted
/// P of Numerical Recipes §6.2 (relative error ≤ 1.2e-7 for all z ≥ 0). Keeping erfc relative,
/// not erf absolute, is what lets Φ(x) = erfc(−x/√2)/2 stay accurate deep in the left tail,
/// where GELU's x·Φ(x) lives for negative x. The exponent −z² + P(t) is one fused multiply-add
/// fed with exact factors (z·z for erf, (x/2)·x for Φ, never the rounded x/√2 squared), because
/// any rounding in an exponent near −70 becomes a relative error of the result.
/// </remarks>
internal static class SpecialMath
{
    private const float InvSqrt2 = 0.70710678118654752f;

    /// <summary>1/√(2π), the peak of the standard normal density φ.</summary>
    public const float InvSqrt2Pi = 0.39894228040143268f;

    // 2/√π · (−1)^k / (k!·(2k+1)), k = 0..6.
    private const float S0 = 1.1283791670955126f;
    private const float S1 = -0.37612638903183754f;
    private const float S2 = 0.11283791670955126f;
    private const float S3 = -0.026866170645131252f;
    private const float S4 = 0.005223977625442188f;
    private const float S5 = -0.0008548327023450852f;
    private const float S6 = 0.00012055332981789664f;

    private const float C0 = -1.26551223f;
    private const float C1 = 1.00002368f;
    private const float C2 = 0.37409196f;
    private const float C3 = 0.09678418f;
    private const float C4 = -0.18628806f;
    private const float C5 = 0.27886807f;
    private const float C6 = -1.13520398f;
    private const float C7 = 1.48851587f;
    private const float C8 = -0.82215223f;
    private const float C9 = 0.17087277f;

    private const float SmallLimit = 0.5f;

    // expm1 uses its Taylor series through x⁸ below this (truncation < 2e-8 relative); above it
    // exp(x) − 1 loses at most a factor 1/(1 − e^−0.5) ≈ 2.5 of exp's own error.
    private const float ExpTaylorLimit = 0.5f;

    // ---------------------------------------------------------------- scalar

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ErfSeries(float z)
    {
        float z2 = z * z;
        float p = MathF.FusedMultiplyAdd(S6, z2, S5);
        p = MathF.FusedMultiplyAdd(p, z2, S4);
        p = MathF.FusedMultiplyAdd(p, z2, S3);
        p = MathF.FusedMultiplyAdd(p, z2, S2);
        p = MathF.FusedMultiplyAdd(p, z2, S1);
        p = MathF.FusedMultiplyAdd(p, z2, S0);
        return z * p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ErfcNonNegative(float z, float a, float b)
    {
        float t = 1f / MathF.FusedMultiplyAdd(0.5f, z, 1f);
        float p = MathF.FusedMultiplyAdd(C9, t, C8);
        p = MathF.FusedMultiplyAdd(p, t, C7);
        p = MathF.FusedMultiplyAdd(p, t, C6);
        p = MathF.FusedMultiplyAdd(p, t, C5);
        p = MathF.FusedMultiplyAdd(p, t, C4);
        p = MathF.FusedMultiplyAdd(p, t, C3);
        p = MathF.FusedMultiplyAdd(p, t, C2);
        p = MathF.FusedMultiplyAdd(p, t, C1);
        p = MathF.FusedMultiplyAdd(p, t, C0);
        return t * MathF.Exp(MathF.FusedMultiplyAdd(-a, b, p));
    }

    /// <summary>erf(x).</summary>
    public static float Erf(float x)
    {
        float z = MathF.Abs(x);
        return z < SmallLimit ? ErfSeries(x) : MathF.CopySign(1f - ErfcNonNegative(z, z, z), x);
    }

    /// <summary>Φ(x) = (1 + erf(x/√2))/2, the standard normal CDF.</summary>
    public static float Phi(float x)
    {
        float s = x * InvSqrt2;
        float z = MathF.Abs(s);
        if (z < SmallLimit)
        {
            return MathF.FusedMultiplyAdd(0.5f, ErfSeries(s), 0.5f);
        }

        float h = 0.5f * ErfcNonNegative(z, 0.5f * x, x);
        return x < 0f ? h : 1f - h;
    }

    /// <summary>eˣ − 1, accurate relative to the result near 0 where exp(x) − 1 cancels.</summary>
    public static float Expm1(float x)
    {
        if (MathF.Abs(x) >= ExpTaylorLimit)
        {
            return MathF.Exp(x) - 1f;
        }

        float p = MathF.FusedMultiplyAdd(1f / 40320f, x, 1f / 5040f);
        p = MathF.FusedMultiplyAdd(p, x, 1f / 720f);
        p = MathF.FusedMultiplyAdd(p, x, 1f / 120f);
        p = MathF.FusedMultiplyAdd(p, x, 1f / 24f);
        p = MathF.FusedMultiplyAdd(p, x, 1f / 6f);
        p = MathF.FusedMultiplyAdd(p, x, 0.5f);
        p = MathF.FusedMultiplyAdd(p, x, 1f);
        return p * x;
    }

    /// <summary>ln(1 + t) for t ≥ 0, accurate for tiny t.</summary>
    public static float Log1p(float t)
    {
        // Goldberg's trick: the rounding error of u = 1 + t cancels in t/(u − 1).
        float u = 1f + t;
        return u == 1f ? t : MathF.Log(u) * t / (u - 1f);
    }

    // ---------------------------------------------------------------- 8 lanes

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ErfSeries(Vector256<float> z)
    {
        Vector256<float> z2 = z * z;
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(S6), z2, Vector256.Create(S5));
        p = Vector256.FusedMultiplyAdd(p, z2, Vector256.Create(S4));
        p = Vector256.FusedMultiplyAdd(p, z2, Vector256.Create(S3));
        p = Vector256.FusedMultiplyAdd(p, z2, Vector256.Create(S2));
        p = Vector256.FusedMultiplyAdd(p, z2, Vector256.Create(S1));
        p = Vector256.FusedMultiplyAdd(p, z2, Vector256.Create(S0));
        return z * p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ErfcNonNegative(Vector256<float> z, Vector256<float> a, Vector256<float> b)
    {
        Vector256<float> t = Vector256<float>.One / Vector256.FusedMultiplyAdd(Vector256.Create(0.5f), z, Vector256<float>.One);
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(C9), t, Vector256.Create(C8));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C7));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C0));
        return t * Vector256.Exp(Vector256.FusedMultiplyAdd(-a, b, p));
    }

    /// <summary>erf on 8 lanes.</summary>
    public static Vector256<float> Erf(Vector256<float> x)
    {
        Vector256<float> z = Vector256.Abs(x);
        Vector256<float> large = Vector256.CopySign(Vector256<float>.One - ErfcNonNegative(z, z, z), x);
        return Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256.Create(SmallLimit)), ErfSeries(x), large);
    }

    /// <summary>Φ on 8 lanes.</summary>
    public static Vector256<float> Phi(Vector256<float> x)
    {
        Vector256<float> half = Vector256.Create(0.5f);
        Vector256<float> s = x * Vector256.Create(InvSqrt2);
        Vector256<float> z = Vector256.Abs(s);
        Vector256<float> h = half * ErfcNonNegative(z, half * x, x);
        Vector256<float> tail = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), h, Vector256<float>.One - h);
        Vector256<float> center = Vector256.FusedMultiplyAdd(half, ErfSeries(s), half);
        return Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256.Create(SmallLimit)), center, tail);
    }

    /// <summary>eˣ − 1 on 8 lanes.</summary>
    public static Vector256<float> Expm1(Vector256<float> x)
    {
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(1f / 40320f), x, Vector256.Create(1f / 5040f));
        p = Vector256.FusedMultiplyAdd(p, x, Vector256.Create(1f / 720f));
        p = Vector256.FusedMultiplyAdd(p, x, Vector256.Create(1f / 120f));
        p = Vector256.FusedMultiplyAdd(p, x, Vector256.Create(1f / 24f));
        p = Vector256.FusedMultiplyAdd(p, x, Vector256.Create(1f / 6f));
        p = Vector256.FusedMultiplyAdd(p, x, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, x, Vector256<float>.One);
        Vector256<float> large = Vector256.Exp(x) - Vector256<float>.One;
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(ExpTaylorLimit)), p * x, large);
    }

    /// <summary>ln(1 + t) for t ≥ 0 on 8 lanes.</summary>
    public static Vector256<float> Log1p(Vector256<float> t)
    {
        Vector256<float> u = Vector256<float>.One + t;
        Vector256<float> r = Vector256.Log(u) * t / (u - Vector256<float>.One);
        return Vector256.ConditionalSelect(Vector256.Equals(u, Vector256<float>.One), t, r);
    }

    // ---------------------------------------------------------------- 16 lanes

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfSeries(Vector512<float> z)
    {
        Vector512<float> z2 = z * z;
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(S6), z2, Vector512.Create(S5));
        p = Vector512.FusedMultiplyAdd(p, z2, Vector512.Create(S4));
        p = Vector512.FusedMultiplyAdd(p, z2, Vector512.Create(S3));
        p = Vector512.FusedMultiplyAdd(p, z2, Vector512.Create(S2));
        p = Vector512.FusedMultiplyAdd(p, z2, Vector512.Create(S1));
        p = Vector512.FusedMultiplyAdd(p, z2, Vector512.Create(S0));
        return z * p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfcNonNegative(Vector512<float> z, Vector512<float> a, Vector512<float> b)
    {
        Vector512<float> t = Vector512<float>.One / Vector512.FusedMultiplyAdd(Vector512.Create(0.5f), z, Vector512<float>.One);
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(C9), t, Vector512.Create(C8));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C7));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C6));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C1));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C0));
        return t * Vector512.Exp(Vector512.FusedMultiplyAdd(-a, b, p));
    }

    /// <summary>erf on 16 lanes.</summary>
    public static Vector512<float> Erf(Vector512<float> x)
    {
        Vector512<float> z = Vector512.Abs(x);
        Vector512<float> large = Vector512.CopySign(Vector512<float>.One - ErfcNonNegative(z, z, z), x);
        return Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512.Create(SmallLimit)), ErfSeries(x), large);
    }

    /// <summary>Φ on 16 lanes.</summary>
    public static Vector512<float> Phi(Vector512<float> x)
    {
        Vector512<float> half = Vector512.Create(0.5f);
        Vector512<float> s = x * Vector512.Create(InvSqrt2);
        Vector512<float> z = Vector512.Abs(s);
        Vector512<float> h = half * ErfcNonNegative(z, half * x, x);
        Vector512<float> tail = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), h, Vector512<float>.One - h);
        Vector512<float> center = Vector512.FusedMultiplyAdd(half, ErfSeries(s), half);
        return Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512.Create(SmallLimit)), center, tail);
    }

    /// <summary>eˣ − 1 on 16 lanes.</summary>
    public static Vector512<float> Expm1(Vector512<float> x)
    {
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 40320f), x, Vector512.Create(1f / 5040f));
        p = Vector512.FusedMultiplyAdd(p, x, Vector512.Create(1f / 720f));
        p = Vector512.FusedMultiplyAdd(p, x, Vector512.Create(1f / 120f));
        p = Vector512.FusedMultiplyAdd(p, x, Vector512.Create(1f / 24f));
        p = Vector512.FusedMultiplyAdd(p, x, Vector512.Create(1f / 6f));
        p = Vector512.FusedMultiplyAdd(p, x, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, x, Vector512<float>.One);
        Vector512<float> large = Vector512.Exp(x) - Vector512<float>.One;
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(ExpTaylorLimit)), p * x, large);
    }

    /// <summary>ln(1 + t) for t ≥ 0 on 16 lanes.</summary>
    public static Vector512<float> Log1p(Vector512<float> t)
    {
        Vector512<float> u = Vector512<float>.One + t;
        Vector512<float> r = Vector512.Log(u) * t / (u - Vector512<float>.One);
        return Vector512.ConditionalSelect(Vector512.Equals(u, Vector512<float>.One), t, r);
    }
}
