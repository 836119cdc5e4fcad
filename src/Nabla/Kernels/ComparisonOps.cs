using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Comparisons as binary ops giving 1 where the relation holds and 0 where it does not (NaN compares
// false, so only NotEqual gives 1 for it). The vector forms turn the all-ones lane mask of a
// comparison into 1.0f by a bitwise and with 1.0f, which gives exactly the scalar form's bits.

/// <summary>d[i] = a &gt; b ? 1 : 0.</summary>
internal readonly struct GreaterThanOp : IBinaryOp
{
    public float Invoke(float a, float b) => a > b ? 1f : 0f;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b) & Vector256<float>.One;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b) & Vector512<float>.One;
}

/// <summary>d[i] = a ≥ b ? 1 : 0.</summary>
internal readonly struct GreaterThanOrEqualOp : IBinaryOp
{
    public float Invoke(float a, float b) => a >= b ? 1f : 0f;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b) & Vector256<float>.One;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b) & Vector512<float>.One;
}

/// <summary>d[i] = a &lt; b ? 1 : 0.</summary>
internal readonly struct LessThanOp : IBinaryOp
{
    public float Invoke(float a, float b) => a < b ? 1f : 0f;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b) & Vector256<float>.One;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b) & Vector512<float>.One;
}

/// <summary>d[i] = a ≤ b ? 1 : 0.</summary>
internal readonly struct LessThanOrEqualOp : IBinaryOp
{
    public float Invoke(float a, float b) => a <= b ? 1f : 0f;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b) & Vector256<float>.One;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.LessThanOrEqual(a, b) & Vector512<float>.One;
}

/// <summary>d[i] = a = b ? 1 : 0 (−0 equals +0).</summary>
internal readonly struct EqualOp : IBinaryOp
{
    public float Invoke(float a, float b) => a == b ? 1f : 0f;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b) & Vector256<float>.One;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b) & Vector512<float>.One;
}

/// <summary>d[i] = a ≠ b ? 1 : 0 (1 when either is NaN).</summary>
internal readonly struct NotEqualOp : IBinaryOp
{
    public float Invoke(float a, float b) => a != b ? 1f : 0f;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.AndNot(Vector256<float>.One, Vector256.Equals(a, b));

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.AndNot(Vector512<float>.One, Vector512.Equals(a, b));
}
