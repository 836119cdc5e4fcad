using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The elementwise maps and reductions the library runs in every training step (d = x + y,
/// d = x·y + z, Σx, max x, …), with the same signatures and NaN rules as
/// <c>System.Numerics.Tensors.TensorPrimitives</c>, compiled fully optimized on first call.
/// </summary>
/// <remarks>
/// Why not TensorPrimitives itself: its methods are plain IL in a NuGet package, so under tiered
/// compilation they start as unoptimized tier-0 code (no inlining of the vector operators) and are
/// promoted only after a call-counting delay that keeps restarting while a program is still
/// compiling new methods. A 32k-element ReLU measured 24 µs at tier 0 against 2.5 µs optimized,
/// for the first ~1,500 calls — longer than a whole Fashion-MNIST epoch. Every method here carries
/// <see cref="MethodImplOptions.AggressiveOptimization"/> (through <see cref="VectorDriver"/>),
/// which skips tier 0. Elementwise maps round each operation separately (no fused multiply-add),
/// as TensorPrimitives does; reductions use four vector accumulators in a fixed order, so results
/// are deterministic but may differ from TensorPrimitives' in the last bits.
/// </remarks>
internal static class Primitives
{
    /// <summary>d[i] = x[i] + y[i].</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Add(x, y, d, KernelPaths.Best);

    internal static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, KernelPath path) =>
        Map(default(AddOp), x, y, d, path);

    /// <summary>d[i] = x[i] + s.</summary>
    public static void Add(ReadOnlySpan<float> x, float s, Span<float> d) => Add(x, s, d, KernelPaths.Best);

    internal static void Add(ReadOnlySpan<float> x, float s, Span<float> d, KernelPath path) => Map(new ScalarRight<AddOp>(default, s), x, d, path);

    /// <summary>d[i] = x[i] − y[i].</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Subtract(x, y, d, KernelPaths.Best);

    internal static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, KernelPath path) =>
        Map(default(SubtractOp), x, y, d, path);

    /// <summary>d[i] = x[i] − s.</summary>
    public static void Subtract(ReadOnlySpan<float> x, float s, Span<float> d) => Map(new ScalarRight<AddOp>(default, -s), x, d, KernelPaths.Best);

    /// <summary>d[i] = s − y[i].</summary>
    public static void Subtract(float s, ReadOnlySpan<float> y, Span<float> d) => Subtract(s, y, d, KernelPaths.Best);

    internal static void Subtract(float s, ReadOnlySpan<float> y, Span<float> d, KernelPath path) => Map(new ScalarLeft<SubtractOp>(default, s), y, d, path);

    /// <summary>d[i] = x[i]·y[i].</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Multiply(x, y, d, KernelPaths.Best);

    internal static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, KernelPath path) =>
        Map(default(MultiplyOp), x, y, d, path);

    /// <summary>d[i] = x[i]·s.</summary>
    public static void Multiply(ReadOnlySpan<float> x, float s, Span<float> d) => Multiply(x, s, d, KernelPaths.Best);

    internal static void Multiply(ReadOnlySpan<float> x, float s, Span<float> d, KernelPath path) => Map(new ScalarRight<MultiplyOp>(default, s), x, d, path);

    /// <summary>d[i] = x[i] / y[i].</summary>
    public static void Divide(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Divide(x, y, d, KernelPaths.Best);

    internal static void Divide(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, KernelPath path) =>
        Map(default(DivideOp), x, y, d, path);

    /// <summary>d[i] = x[i] / s (a true division, not a multiplication by 1/s, to round like TensorPrimitives).</summary>
    public static void Divide(ReadOnlySpan<float> x, float s, Span<float> d) => Divide(x, s, d, KernelPaths.Best);

    internal static void Divide(ReadOnlySpan<float> x, float s, Span<float> d, KernelPath path) => Map(new ScalarRight<DivideOp>(default, s), x, d, path);

    /// <summary>d[i] = s / y[i].</summary>
    public static void Divide(float s, ReadOnlySpan<float> y, Span<float> d) => Divide(s, y, d, KernelPaths.Best);

    internal static void Divide(float s, ReadOnlySpan<float> y, Span<float> d, KernelPath path) => Map(new ScalarLeft<DivideOp>(default, s), y, d, path);

    /// <summary>d[i] = x[i]·y[i] + z[i] (two roundings).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> d) =>
        MultiplyAdd(x, y, z, d, KernelPaths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> d, KernelPath path)
    {
        Guard.SameLength(x, y, nameof(x), nameof(y));
        Guard.SameLength(x, z, nameof(x), nameof(z));
        Guard.SameLength(x, d, nameof(x), "destination");
        // Three inputs, so not VectorDriver; every element is read before it is written, which
        // keeps the common d = z (accumulate in place) correct.
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int n = x.Length, i = 0;
        if (path == KernelPath.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                var r = Vector512.LoadUnsafe(ref xr, (nuint)i) * Vector512.LoadUnsafe(ref yr, (nuint)i) + Vector512.LoadUnsafe(ref zr, (nuint)i);
                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (path >= KernelPath.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                var r = Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i) + Vector256.LoadUnsafe(ref zr, (nuint)i);
                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++) Unsafe.Add(ref dr, i) = Unsafe.Add(ref xr, i) * Unsafe.Add(ref yr, i) + Unsafe.Add(ref zr, i);
    }

    /// <summary>d[i] = x[i]·s + z[i] (two roundings).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float s, ReadOnlySpan<float> z, Span<float> d) =>
        MultiplyAdd(x, s, z, d, KernelPaths.Best);

    internal static void MultiplyAdd(ReadOnlySpan<float> x, float s, ReadOnlySpan<float> z, Span<float> d, KernelPath path) =>
        Map(new ScaleAdd(s), x, z, d, path);

    /// <summary>d[i] = x[i]·y[i] + s (two roundings).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float s, Span<float> d) =>
        MultiplyAdd(x, y, s, d, KernelPaths.Best);

    internal static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float s, Span<float> d, KernelPath path) =>
        Map(new MultiplyAddScalar(s), x, y, d, path);

    /// <summary>d[i] = max(x[i], y[i]); NaN if either is NaN.</summary>
    public static void Max(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Max(x, y, d, KernelPaths.Best);

    internal static void Max(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, KernelPath path) => Map(default(MaxOp), x, y, d, path);

    /// <summary>d[i] = max(x[i], s); NaN where x[i] is NaN.</summary>
    public static void Max(ReadOnlySpan<float> x, float s, Span<float> d) => Max(x, s, d, KernelPaths.Best);

    internal static void Max(ReadOnlySpan<float> x, float s, Span<float> d, KernelPath path) => Map(new ClampOp(s, float.PositiveInfinity), x, d, path);

    /// <summary>d[i] = min(x[i], y[i]); NaN if either is NaN.</summary>
    public static void Min(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => Min(x, y, d, KernelPaths.Best);

    internal static void Min(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, KernelPath path) => Map(default(MinOp), x, y, d, path);

    /// <summary>d[i] = min(x[i], s); NaN where x[i] is NaN.</summary>
    public static void Min(ReadOnlySpan<float> x, float s, Span<float> d) => Map(new ClampOp(float.NegativeInfinity, s), x, d, KernelPaths.Best);

    /// <summary>d[i] = min(max(x[i], lo), hi); NaN where x[i] is NaN.</summary>
    public static void Clamp(ReadOnlySpan<float> x, float lo, float hi, Span<float> d) => Clamp(x, lo, hi, d, KernelPaths.Best);

    internal static void Clamp(ReadOnlySpan<float> x, float lo, float hi, Span<float> d, KernelPath path) => Map(new ClampOp(lo, hi), x, d, path);

    /// <summary>d[i] = −x[i].</summary>
    public static void Negate(ReadOnlySpan<float> x, Span<float> d) => Map(new ScalarRight<MultiplyOp>(default, -1f), x, d, KernelPaths.Best);

    /// <summary>d[i] = √x[i].</summary>
    public static void Sqrt(ReadOnlySpan<float> x, Span<float> d) => Sqrt(x, d, KernelPaths.Best);

    internal static void Sqrt(ReadOnlySpan<float> x, Span<float> d, KernelPath path) => Map(default(SqrtOp), x, d, path);

    /// <summary>d[i] = eˣ⁽ⁱ⁾.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> d) => Exp(x, d, KernelPaths.Best);

    internal static void Exp(ReadOnlySpan<float> x, Span<float> d, KernelPath path) => Map(default(ExpOp), x, d, path);

    /// <summary>Σ x[i] (0 for an empty span).</summary>
    public static float Sum(ReadOnlySpan<float> x) => PrimitiveReductions.Sum(x, KernelPaths.Best);

    /// <summary>Σ x[i]·y[i].</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Guard.SameLength(x, y, nameof(x), nameof(y));
        return PrimitiveReductions.Dot(x, y, KernelPaths.Best);
    }

    /// <summary>max x[i]; NaN if any element is NaN.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty.</exception>
    public static float Max(ReadOnlySpan<float> x) => PrimitiveReductions.Max(x, KernelPaths.Best);

    /// <summary>d[i] = f(x[i]) for any unary op, with the lengths checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Map<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> d, KernelPath path) where TOp : struct, IUnaryOp
    {
        Guard.SameLength(x, d, nameof(x), "destination");
        VectorDriver.Unary(op, x, d, accumulate: false, path);
    }

    /// <summary>d[i] = f(x[i], y[i]) for any binary op, with the lengths checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, KernelPath path) where TOp : struct, IBinaryOp
    {
        Guard.SameLength(x, y, nameof(x), nameof(y));
        Guard.SameLength(x, d, nameof(x), "destination");
        VectorDriver.Binary(op, x, y, d, accumulate: false, path);
    }
}
