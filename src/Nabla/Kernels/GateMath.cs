using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The gate nonlinearities of the recurrent cells, σ and tanh, for one element, 8 and 16 lanes,
/// with the same formulas on every width so the kernel paths agree to rounding.
/// </summary>
/// <remarks>
/// σ(x) = 1/(1 + e^(−x)) keeps its relative accuracy everywhere (e^(−x) overflowing to ∞ gives 0).
/// tanh is evaluated as tanh|x| = −m/(2 + m) with m = expm1(−2|x|) and the sign put back: unlike
/// 2σ(2x) − 1 it does not cancel near 0, where a recurrent state often sits, and it saturates to
/// exactly ±1 without overflow for large |x|.
/// </remarks>
internal static class GateMath
{
    /// <summary>σ(x) = 1/(1 + e^(−x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>tanh(x) through expm1 (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float m = SpecialMath.Expm1(-2f * MathF.Abs(x));
        return MathF.CopySign(-m / (2f + m), x);
    }

    /// <summary>σ on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

    /// <summary>tanh on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var sign = x & Vector256.Create(-0f);
        var m = SpecialMath.Expm1(Vector256.Create(-2f) * Vector256.Abs(x));
        return (-m / (Vector256.Create(2f) + m)) | sign;
    }

    /// <summary>σ on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));

    /// <summary>tanh on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var sign = x & Vector512.Create(-0f);
        var m = SpecialMath.Expm1(Vector512.Create(-2f) * Vector512.Abs(x));
        return (-m / (Vector512.Create(2f) + m)) | sign;
    }

    /// <summary>Throws unless a span holds <paramref name="rows"/> rows of <paramref name="width"/> at <paramref name="stride"/>.</summary>
    public static void CheckRows(int length, int rows, int stride, int width, string name)
    {
        if (rows > 0) Guard.AtLeast(length, (long)(rows - 1) * stride + width, name);
    }
}
