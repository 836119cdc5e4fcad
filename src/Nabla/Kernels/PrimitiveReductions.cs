using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Σx, Σx·y and max x for <see cref="Primitives"/>: four vector accumulators (so the adds
/// pipeline), combined in a fixed order, then a scalar tail — the same numbers on every run.
/// </summary>
internal static class PrimitiveReductions
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(ReadOnlySpan<float> x, KernelPath path)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float total = 0f;
        if (path == KernelPath.Vector512 && n >= 16)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 64; i += 64)
            {
                s0 += Vector512.LoadUnsafe(ref r, (nuint)i);
                s1 += Vector512.LoadUnsafe(ref r, (nuint)(i + 16));
                s2 += Vector512.LoadUnsafe(ref r, (nuint)(i + 32));
                s3 += Vector512.LoadUnsafe(ref r, (nuint)(i + 48));
            }
            for (; i <= n - 16; i += 16) s0 += Vector512.LoadUnsafe(ref r, (nuint)i);
            total = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        else if (path >= KernelPath.Vector256 && n >= 8)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 32; i += 32)
            {
                s0 += Vector256.LoadUnsafe(ref r, (nuint)i);
                s1 += Vector256.LoadUnsafe(ref r, (nuint)(i + 8));
                s2 += Vector256.LoadUnsafe(ref r, (nuint)(i + 16));
                s3 += Vector256.LoadUnsafe(ref r, (nuint)(i + 24));
            }
            for (; i <= n - 8; i += 8) s0 += Vector256.LoadUnsafe(ref r, (nuint)i);
            total = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) total += Unsafe.Add(ref r, i);
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, KernelPath path)
    {
        ref float a = ref MemoryMarshal.GetReference(x);
        ref float b = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float total = 0f;
        if (path == KernelPath.Vector512 && n >= 16)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 64; i += 64)
            {
                s0 += Vector512.LoadUnsafe(ref a, (nuint)i) * Vector512.LoadUnsafe(ref b, (nuint)i);
                s1 += Vector512.LoadUnsafe(ref a, (nuint)(i + 16)) * Vector512.LoadUnsafe(ref b, (nuint)(i + 16));
                s2 += Vector512.LoadUnsafe(ref a, (nuint)(i + 32)) * Vector512.LoadUnsafe(ref b, (nuint)(i + 32));
                s3 += Vector512.LoadUnsafe(ref a, (nuint)(i + 48)) * Vector512.LoadUnsafe(ref b, (nuint)(i + 48));
            }
            for (; i <= n - 16; i += 16) s0 += Vector512.LoadUnsafe(ref a, (nuint)i) * Vector512.LoadUnsafe(ref b, (nuint)i);
            total = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        else if (path >= KernelPath.Vector256 && n >= 8)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 32; i += 32)
            {
                s0 += Vector256.LoadUnsafe(ref a, (nuint)i) * Vector256.LoadUnsafe(ref b, (nuint)i);
                s1 += Vector256.LoadUnsafe(ref a, (nuint)(i + 8)) * Vector256.LoadUnsafe(ref b, (nuint)(i + 8));
                s2 += Vector256.LoadUnsafe(ref a, (nuint)(i + 16)) * Vector256.LoadUnsafe(ref b, (nuint)(i + 16));
                s3 += Vector256.LoadUnsafe(ref a, (nuint)(i + 24)) * Vector256.LoadUnsafe(ref b, (nuint)(i + 24));
            }
            for (; i <= n - 8; i += 8) s0 += Vector256.LoadUnsafe(ref a, (nuint)i) * Vector256.LoadUnsafe(ref b, (nuint)i);
            total = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) total += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return total;
    }

    /// <summary>The largest element; NaN as soon as one element is NaN (Vector.Max propagates NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Max(ReadOnlySpan<float> x, KernelPath path)
    {
        if (x.IsEmpty) throw new ArgumentException("max of an empty span is undefined", nameof(x));
        ref float r = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float best = float.NegativeInfinity;
        if (path == KernelPath.Vector512 && n >= 16)
        {
            var m = Vector512.Create(float.NegativeInfinity);
            for (; i <= n - 16; i += 16) m = Vector512.Max(m, Vector512.LoadUnsafe(ref r, (nuint)i));
            for (int k = 0; k < 16; k++) best = MathF.Max(best, m[k]);
        }
        else if (path >= KernelPath.Vector256 && n >= 8)
        {
            var m = Vector256.Create(float.NegativeInfinity);
            for (; i <= n - 8; i += 8) m = Vector256.Max(m, Vector256.LoadUnsafe(ref r, (nuint)i));
            for (int k = 0; k < 8; k++) best = MathF.Max(best, m[k]);
        }
        for (; i < n; i++) best = MathF.Max(best, Unsafe.Add(ref r, i));
        return best;
    }
}
