using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>An elementwise function f(a) written once per width; a struct so the JIT specializes the driver.</summary>
internal interface IUnaryOp
{
    /// <summary>f for one element.</summary>
    float Invoke(float a);

    /// <summary>f for 8 elements.</summary>
    Vector256<float> Invoke(Vector256<float> a);

    /// <summary>f for 16 elements.</summary>
    Vector512<float> Invoke(Vector512<float> a);
}

/// <summary>An elementwise function f(a, b) written once per width.</summary>
internal interface IBinaryOp
{
    /// <summary>f for one element pair.</summary>
    float Invoke(float a, float b);

    /// <summary>f for 8 element pairs.</summary>
    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);

    /// <summary>f for 16 element pairs.</summary>
    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
}

/// <summary>
/// The one loop every hand-written elementwise kernel runs: 16-wide, then 8-wide, then scalar.
/// </summary>
/// <remarks>
/// The tail is scalar rather than an overlapping last vector: with at most 7 leftover elements
/// it costs little, and it keeps in-place calls (<c>dst</c> aliasing an input) and
/// <c>accumulate</c> correct without masks, because every element is read once and written once.
/// Ops carry their parameters (α, a row's dot product) as fields of a readonly struct, which the
/// JIT keeps in registers once the generic method is specialized.
/// </remarks>
internal static class VectorDriver
{
    /// <summary>dst[i] = f(a[i]), or dst[i] += f(a[i]) when <paramref name="accumulate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Unary<TOp>(TOp op, ReadOnlySpan<float> a, Span<float> dst, bool accumulate, KernelPath path)
        where TOp : struct, IUnaryOp
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int n = a.Length;
        int i = 0;
        if (path == KernelPath.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> r = op.Invoke(Vector512.LoadUnsafe(ref ar, (nuint)i));
                if (accumulate)
                {
                    r += Vector512.LoadUnsafe(ref dr, (nuint)i);
                }

                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (path >= KernelPath.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> r = op.Invoke(Vector256.LoadUnsafe(ref ar, (nuint)i));
                if (accumulate)
                {
                    r += Vector256.LoadUnsafe(ref dr, (nuint)i);
                }

                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float r = op.Invoke(Unsafe.Add(ref ar, i));
            Unsafe.Add(ref dr, i) = accumulate ? Unsafe.Add(ref dr, i) + r : r;
        }
    }

    /// <summary>dst[i] = f(a[i], b[i]), or dst[i] += f(a[i], b[i]) when <paramref name="accumulate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Binary<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst, bool accumulate, KernelPath path)
        where TOp : struct, IBinaryOp
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int n = a.Length;
        int i = 0;
        if (path == KernelPath.Vector512)
        {
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> r = op.Invoke(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i));
                if (accumulate)
                {
                    r += Vector512.LoadUnsafe(ref dr, (nuint)i);
                }

                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }

        if (path >= KernelPath.Vector256)
        {
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> r = op.Invoke(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i));
                if (accumulate)
                {
                    r += Vector256.LoadUnsafe(ref dr, (nuint)i);
                }

                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float r = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
            Unsafe.Add(ref dr, i) = accumulate ? Unsafe.Add(ref dr, i) + r : r;
        }
    }
}
