using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla.Tensors;

/// <summary>x + y.</summary>
internal readonly struct AddOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Apply(float x, float y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Add(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => Primitives.Add(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Add(y, x, d);
}

/// <summary>x − y.</summary>
internal readonly struct SubOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Apply(float x, float y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Subtract(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => Primitives.Subtract(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Subtract(x, y, d);
}

/// <summary>x · y.</summary>
internal readonly struct MulOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Apply(float x, float y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Multiply(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => Primitives.Multiply(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Multiply(y, x, d);
}

/// <summary>x / y.</summary>
internal readonly struct DivOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Apply(float x, float y) => x / y;
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Divide(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => Primitives.Divide(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Divide(x, y, d);
}

/// <summary>max(x, y) (NaN-propagating).</summary>
internal readonly struct MaxOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Apply(float x, float y) => MathF.Max(x, y);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Max(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => Primitives.Max(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Max(y, x, d);
}

/// <summary>min(x, y) (NaN-propagating).</summary>
internal readonly struct MinOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Apply(float x, float y) => MathF.Min(x, y);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Min(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => Primitives.Min(x, y, d);
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => Primitives.Min(y, x, d);
}

/// <summary>A comparison mapped to 1 (true) or 0 (false).</summary>
internal interface IComparison
{
    static abstract bool Test(float x, float y);
}

/// <summary>Lifts a comparison to a binary op over spans (scalar loops: comparisons are not hot).</summary>
internal readonly struct CompareOp<TCmp> : IBinaryOp where TCmp : IComparison
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Apply(float x, float y) => TCmp.Test(x, y) ? 1f : 0f;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TCmp.Test(x[i], y[i]) ? 1f : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TCmp.Test(x[i], y) ? 1f : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
