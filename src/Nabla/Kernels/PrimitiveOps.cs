using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// The per-element functions behind Primitives, one readonly struct each so VectorDriver's generic
// loop is specialized (and inlined) per operation. Scalars ride along as fields.

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

/// <summary>d[i] = a + s.</summary>
internal readonly struct AddScalar(float s) : IUnaryOp
{
    public float Invoke(float a) => a + s;

    public Vector256<float> Invoke(Vector256<float> a) => a + Vector256.Create(s);

    public Vector512<float> Invoke(Vector512<float> a) => a + Vector512.Create(s);
}

/// <summary>d[i] = s − a.</summary>
internal readonly struct SubtractFrom(float s) : IUnaryOp
{
    public float Invoke(float a) => s - a;

    public Vector256<float> Invoke(Vector256<float> a) => Vector256.Create(s) - a;

    public Vector512<float> Invoke(Vector512<float> a) => Vector512.Create(s) - a;
}

/// <summary>d[i] = a·s.</summary>
internal readonly struct MultiplyScalar(float s) : IUnaryOp
{
    public float Invoke(float a) => a * s;

    public Vector256<float> Invoke(Vector256<float> a) => a * Vector256.Create(s);

    public Vector512<float> Invoke(Vector512<float> a) => a * Vector512.Create(s);
}

/// <summary>d[i] = a / s.</summary>
internal readonly struct DivideByScalar(float s) : IUnaryOp
{
    public float Invoke(float a) => a / s;

    public Vector256<float> Invoke(Vector256<float> a) => a / Vector256.Create(s);

    public Vector512<float> Invoke(Vector512<float> a) => a / Vector512.Create(s);
}

/// <summary>d[i] = s / a.</summary>
internal readonly struct DivideScalarBy(float s) : IUnaryOp
{
    public float Invoke(float a) => s / a;

    public Vector256<float> Invoke(Vector256<float> a) => Vector256.Create(s) / a;

    public Vector512<float> Invoke(Vector512<float> a) => Vector512.Create(s) / a;
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
