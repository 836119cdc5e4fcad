using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The gate nonlinearities of the recurrent cells, σ and tanh, for one element, 8 and 16 lanes,
/// with the same formulas (and fused multiply-adds) on every width so the kernel paths agree.
/// </summary>
/// <remarks>
/// <para>They run five times per hidden unit per timestep, so they have their own exp rather than
/// <c>Vector256.Exp</c>, which works in double precision: Cody–Waite reduction x = k·ln 2 + r,
/// |r| ≤ ln2/2, Cephes' degree-7 polynomial for eʳ (relative error ≈ 1.5e-7) and 2ᵏ put in the
/// exponent bits. Inputs are clamped to [−87.3, 88.7], so results stay finite and normal (or +∞ at
/// the very top), which σ and tanh saturate correctly.</para>
/// <para>σ(x) = 1/(1 + e^(−x)). tanh|x| is x·P(x²) below 0.625 (a degree-5 polynomial in x² fitted
/// for relative error, 4e-9: no cancellation near 0, where a recurrent state often sits) and
/// 1 − 2/(1 + e^(2|x|)) above; the sign is put back.</para>
/// </remarks>
internal static class GateMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float ExpMax = 88.7228317f;
    private const float ExpMin = -87.3365479f;
    private const float E1 = 1.9875691500e-4f, E2 = 1.3981999507e-3f, E3 = 8.3334519073e-3f,
        E4 = 4.1665795894e-2f, E5 = 1.6666665459e-1f, E6 = 5.0000001201e-1f;
    private const float TanhSmall = 0.625f;
    private const float T0 = 0.9999999960797895f, T1 = -0.33333260549869537f, T2 = 0.13331127863846035f,
        T3 = -0.053721087121748015f, T4 = 0.02059103710897375f, T5 = -0.005660034330379746f;

    /// <summary>eˣ (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = Math.Clamp(x, ExpMin, ExpMax);
        float k = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(k, -Ln2Lo, MathF.FusedMultiplyAdd(k, -Ln2Hi, x));
        float p = MathF.FusedMultiplyAdd(E1, r, E2);
        p = MathF.FusedMultiplyAdd(p, r, E3);
        p = MathF.FusedMultiplyAdd(p, r, E4);
        p = MathF.FusedMultiplyAdd(p, r, E5);
        p = MathF.FusedMultiplyAdd(p, r, E6);
        p = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        return p * BitConverter.Int32BitsToSingle(((int)k + 127) << 23);
    }

    /// <summary>σ(x) = 1/(1 + e^(−x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    /// <summary>tanh(x) (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float a = MathF.Abs(x);
        float t = a * a;
        float p = MathF.FusedMultiplyAdd(T5, t, T4);
        p = MathF.FusedMultiplyAdd(p, t, T3);
        p = MathF.FusedMultiplyAdd(p, t, T2);
        p = MathF.FusedMultiplyAdd(p, t, T1);
        p = MathF.FusedMultiplyAdd(p, t, T0);
        float y = a < TanhSmall ? a * p : 1f - 2f / (1f + Exp(2f * a));
        return MathF.CopySign(y, x);
    }

    /// <summary>eˣ on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpMin)), Vector256.Create(ExpMax));
        var k = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), x));
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(E1), r, Vector256.Create(E2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E6));
        p = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(k) + Vector256.Create(127), 23).AsSingle();
        return p * scale;
    }

    /// <summary>σ on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    /// <summary>tanh on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var sign = x & Vector256.Create(-0f);
        var a = Vector256.Abs(x);
        var t = a * a;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(T5), t, Vector256.Create(T4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(T3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(T2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(T1));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(T0));
        var large = Vector256<float>.One - Vector256.Create(2f) / (Vector256<float>.One + Exp(a + a));
        return Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(TanhSmall)), a * p, large) | sign;
    }

    /// <summary>eˣ on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax));
        var k = Vector512.Round(x * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), x));
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E1), r, Vector512.Create(E2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E6));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(k) + Vector512.Create(127), 23).AsSingle();
        return p * scale;
    }

    /// <summary>σ on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    /// <summary>tanh on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var sign = x & Vector512.Create(-0f);
        var a = Vector512.Abs(x);
        var t = a * a;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(T5), t, Vector512.Create(T4));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(T3));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(T2));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(T1));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(T0));
        var large = Vector512<float>.One - Vector512.Create(2f) / (Vector512<float>.One + Exp(a + a));
        return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(TanhSmall)), a * p, large) | sign;
    }

    /// <summary>Throws unless a span holds <paramref name="rows"/> rows of <paramref name="width"/> at <paramref name="stride"/>.</summary>
    public static void CheckRows(int length, int rows, int stride, int width, string name)
    {
        if (rows > 0) Guard.AtLeast(length, (long)(rows - 1) * stride + width, name);
    }
}
