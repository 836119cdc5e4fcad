using System.Numerics.Tensors;

namespace Nabla.Tensors;

/// <summary>x + y.</summary>
internal readonly struct AddOp : IBinaryOp
{
    public static float Apply(float x, float y) => x + y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);
}

/// <summary>x − y.</summary>
internal readonly struct SubOp : IBinaryOp
{
    public static float Apply(float x, float y) => x - y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
}

/// <summary>x · y.</summary>
internal readonly struct MulOp : IBinaryOp
{
    public static float Apply(float x, float y) => x * y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);
}

/// <summary>x / y.</summary>
internal readonly struct DivOp : IBinaryOp
{
    public static float Apply(float x, float y) => x / y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
}

/// <summary>max(x, y) (NaN-propagating).</summary>
internal readonly struct MaxOp : IBinaryOp
{
    public static float Apply(float x, float y) => MathF.Max(x, y);
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(y, x, d);
}

/// <summary>min(x, y) (NaN-propagating).</summary>
internal readonly struct MinOp : IBinaryOp
{
    public static float Apply(float x, float y) => MathF.Min(x, y);
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(y, x, d);
}

/// <summary>A comparison mapped to 1 (true) or 0 (false).</summary>
internal interface IComparison
{
    static abstract bool Test(float x, float y);
}

/// <summary>Lifts a comparison to a binary op over spans (scalar loops: comparisons are not hot).</summary>
internal readonly struct CompareOp<TCmp> : IBinaryOp where TCmp : IComparison
{
    public static float Apply(float x, float y) => TCmp.Test(x, y) ? 1f : 0f;

    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TCmp.Test(x[i], y[i]) ? 1f : 0f;
    }

    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TCmp.Test(x[i], y) ? 1f : 0f;
    }

    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TCmp.Test(x, y[i]) ? 1f : 0f;
    }
}

internal readonly struct GreaterCmp : IComparison { public static bool Test(float x, float y) => x > y; }
internal readonly struct GreaterEqualCmp : IComparison { public static bool Test(float x, float y) => x >= y; }
internal readonly struct LessCmp : IComparison { public static bool Test(float x, float y) => x < y; }
internal readonly struct LessEqualCmp : IComparison { public static bool Test(float x, float y) => x <= y; }
internal readonly struct EqualCmp : IComparison { public static bool Test(float x, float y) => x == y; }
internal readonly struct NotEqualCmp : IComparison { public static bool Test(float x, float y) => x != y; }
