using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// The per-element functions behind Primitives and tensor broadcasting, one readonly struct each so
// VectorDriver's generic loop is specialized (and inlined) per operation. Scalars ride along as
// fields; ScalarRight/ScalarLeft turn any binary op into the unary op "with one operand fixed".

/// <summary>d[i] = a + b.</summary>
internal readonly struct AddOp : IBinaryOp
{
    public float Invoke(float a, float b) => a + b;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a + b;
}

/// <summary>d[i] = a − b.</summary>
internal readonly struct SubtractOp : IBinaryOp
{
    public float Invoke(float a, float b) => a - b;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a - b;
}

/// <summary>d[i] = a·b.</summary>
internal readonly struct MultiplyOp : IBinaryOp
{
    public float Invoke(float a, float b) => a * b;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * b;
}

/// <summary>d[i] = a / b.</summary>
internal readonly struct DivideOp : IBinaryOp
{
    public float Invoke(float a, float b) => a / b;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a / b;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a / b;
}

/// <summary>d[i] = max(a, b), NaN-propagating.</summary>
internal readonly struct MaxOp : IBinaryOp
{
    public float Invoke(float a, float b) => MathF.Max(a, b);

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
}

/// <summary>d[i] = min(a, b), NaN-propagating.</summary>
internal readonly struct MinOp : IBinaryOp
{
    public float Invoke(float a, float b) => MathF.Min(a, b);

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
}

/// <summary>d[i] = f(a, s): a binary op with its right operand fixed to a scalar.</summary>
internal readonly struct ScalarRight<TOp>(TOp op, float s) : IUnaryOp where TOp : struct, IBinaryOp
{
    public float Invoke(float a) => op.Invoke(a, s);

    public Vector256<float> Invoke(Vector256<float> a) => op.Invoke(a, Vector256.Create(s));

    public Vector512<float> Invoke(Vector512<float> a) => op.Invoke(a, Vector512.Create(s));
}

/// <summary>d[i] = f(s, a): a binary op with its left operand fixed to a scalar.</summary>
internal readonly struct ScalarLeft<TOp>(TOp op, float s) : IUnaryOp where TOp : struct, IBinaryOp
{
    public float Invoke(float a) => op.Invoke(s, a);

    public Vector256<float> Invoke(Vector256<float> a) => op.Invoke(Vector256.Create(s), a);

    public Vector512<float> Invoke(Vector512<float> a) => op.Invoke(Vector512.Create(s), a);
}

/// <summary>d[i] = a·s + b (two roundings).</summary>
internal readonly struct ScaleAdd(float s) : IBinaryOp
{
    public float Invoke(float a, float b) => a * s + b;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * Vector256.Create(s) + b;

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * Vector512.Create(s) + b;
}

/// <summary>d[i] = a·b + s (two roundings).</summary>
internal readonly struct MultiplyAddScalar(float s) : IBinaryOp
{
    public float Invoke(float a, float b) => a * b + s;

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b + Vector256.Create(s);

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * b + Vector512.Create(s);
}

/// <summary>d[i] = min(max(a, lo), hi), NaN-propagating.</summary>
internal readonly struct ClampOp(float lo, float hi) : IUnaryOp
{
    public float Invoke(float a) => MathF.Min(MathF.Max(a, lo), hi);

    public Vector256<float> Invoke(Vector256<float> a) => Vector256.Min(Vector256.Max(a, Vector256.Create(lo)), Vector256.Create(hi));

    public Vector512<float> Invoke(Vector512<float> a) => Vector512.Min(Vector512.Max(a, Vector512.Create(lo)), Vector512.Create(hi));
}

/// <summary>d[i] = √a.</summary>
internal readonly struct SqrtOp : IUnaryOp
{
    public float Invoke(float a) => MathF.Sqrt(a);

    public Vector256<float> Invoke(Vector256<float> a) => Vector256.Sqrt(a);

    public Vector512<float> Invoke(Vector512<float> a) => Vector512.Sqrt(a);
}

/// <summary>d[i] = eᵃ.</summary>
internal readonly struct ExpOp : IUnaryOp
{
    public float Invoke(float a) => MathF.Exp(a);

    public Vector256<float> Invoke(Vector256<float> a) => Vector256.Exp(a);

    public Vector512<float> Invoke(Vector512<float> a) => Vector512.Exp(a);
}
