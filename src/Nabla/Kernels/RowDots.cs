using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// C = β·C + A·Bᵀ for a few rows of A (A <c>[m, k]</c>, B <c>[n, k]</c>, both row-major and
/// contiguous): every C[r, j] is the dot product of row r of A with row j of B.
/// </summary>
/// <remarks>
/// For one-sample inference (m = 1) packed GEMM spends most of its time copying B into panels,
/// each weight used once. Here each weight is read once, straight from the layer's storage, with
/// four rows of B sharing each loaded vector of A. Use for m up to <see cref="MaxRows"/>.
/// </remarks>
public static class RowDots
{
    /// <summary>The number of rows of A up to which this beats packed GEMM on the MLP shapes.</summary>
    public const int MaxRows = 4;

    /// <summary>C[r, j] = β·C[r, j] + Σₚ A[r, p]·B[j, p] for r &lt; m, j &lt; n; β is 0 or 1 (0 overwrites).</summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix or β is neither 0 nor 1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Compute(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        if (a.Length < (long)m * k || b.Length < (long)n * k || c.Length < (long)m * n)
            throw new ArgumentException($"RowDots: spans too short for m={m}, n={n}, k={k} (A {a.Length}, B {b.Length}, C {c.Length})");
        if (beta != 0f && beta != 1f) throw new ArgumentException($"RowDots: beta must be 0 or 1, got {beta}", nameof(beta));
        bool add = beta == 1f;
        // The product is bound by reading B (a first layer's 800 KB of weights): with a second
        // core, each reads and keeps in its own L2 half of B's rows. Each C element is still one
        // dot product computed the same way, so the split never changes a bit.
        int threads = Math.Min(WorkerPool.MaxThreads, n / 16);
        if (threads > 1 && (long)n * k >= ParallelThreshold && !WorkerPool.InsideWork)
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                var work = _work ??= new Split();
                work.Set(m, n, k, pa, pb, pc, add, threads);
                try
                {
                    WorkerPool.Run(work, threads);
                }
                finally
                {
                    work.Clear();
                }
            }
            return;
        }
        Rows(m, n, k, a, b, c, 0, n, add);
    }

    private const long ParallelThreshold = 1 << 16;

    [ThreadStatic] private static Split? _work;

    // Columns [j0, j1) of every row of C.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int j0, int j1, bool add)
    {
        for (int r = 0; r < m; r++)
        {
            var x = a.Slice(r * k, k);
            var y = c.Slice(r * n, n);
            int j = j0;
            if (Vector512.IsHardwareAccelerated && k >= Vector512<float>.Count)
                for (; j <= j1 - 4; j += 4) Four512(x, b.Slice(j * k, 4 * k), k, y.Slice(j, 4), add);
            else if (Vector256.IsHardwareAccelerated && k >= Vector256<float>.Count)
                for (; j <= j1 - 4; j += 4) Four256(x, b.Slice(j * k, 4 * k), k, y.Slice(j, 4), add);
            for (; j < j1; j++)
            {
                float d = Primitives.Dot(x, b.Slice(j * k, k));
                y[j] = add ? y[j] + d : d;
            }
        }
    }

    // C's columns cut into `pieces` blocks of whole 4-column groups.
    private sealed unsafe class Split : IParallelWork
    {
        private int _m, _n, _k, _pieces;
        private float* _a, _b, _c;
        private bool _add;

        public void Set(int m, int n, int k, float* a, float* b, float* c, bool add, int pieces)
        {
            (_m, _n, _k, _add, _pieces) = (m, n, k, add, pieces);
            _a = a;
            _b = b;
            _c = c;
        }

        public void Clear()
        {
            _a = null;
            _b = null;
            _c = null;
        }

        public void Execute(int index)
        {
            int groups = (_n + 3) / 4;
            int j0 = Math.Min(_n, groups * index / _pieces * 4), j1 = Math.Min(_n, groups * (index + 1) / _pieces * 4);
            Rows(_m, _n, _k, new ReadOnlySpan<float>(_a, _m * _k), new ReadOnlySpan<float>(_b, _n * _k), new Span<float>(_c, _m * _n), j0, j1, _add);
        }
    }

    // Four dot products x·rows[i] sharing each loaded vector of x; the same on every thread count.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four512(ReadOnlySpan<float> x, ReadOnlySpan<float> rows, int k, Span<float> y, bool add)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float r0 = ref MemoryMarshal.GetReference(rows);
        nuint k1 = (nuint)k, k2 = 2 * k1, k3 = 3 * k1;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        nuint p = 0;
        for (; p + (nuint)Vector512<float>.Count <= k1; p += (nuint)Vector512<float>.Count)
        {
            var xv = Vector512.LoadUnsafe(ref rx, p);
            s0 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref r0, p), s0);
            s1 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref r0, k1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref r0, k2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref r0, k3 + p), s3);
        }
        FinishFour(x, rows, k, (int)p, Vector512.Sum(s0), Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3), y, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four256(ReadOnlySpan<float> x, ReadOnlySpan<float> rows, int k, Span<float> y, bool add)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float r0 = ref MemoryMarshal.GetReference(rows);
        nuint k1 = (nuint)k, k2 = 2 * k1, k3 = 3 * k1;
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        nuint p = 0;
        for (; p + (nuint)Vector256<float>.Count <= k1; p += (nuint)Vector256<float>.Count)
        {
            var xv = Vector256.LoadUnsafe(ref rx, p);
            s0 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref r0, p), s0);
            s1 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref r0, k1 + p), s1);
            s2 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref r0, k2 + p), s2);
            s3 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref r0, k3 + p), s3);
        }
        FinishFour(x, rows, k, (int)p, Vector256.Sum(s0), Vector256.Sum(s1), Vector256.Sum(s2), Vector256.Sum(s3), y, add);
    }

    // The scalar tail of the four dot products from column p, then the store (or add) into y[0..4].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FinishFour(ReadOnlySpan<float> x, ReadOnlySpan<float> rows, int k, int p,
        float d0, float d1, float d2, float d3, Span<float> y, bool add)
    {
        for (int q = p; q < k; q++)
        {
            float xq = x[q];
            d0 += xq * rows[q];
            d1 += xq * rows[k + q];
            d2 += xq * rows[2 * k + q];
            d3 += xq * rows[3 * k + q];
        }
        if (add)
        {
            y[0] += d0; y[1] += d1; y[2] += d2; y[3] += d3;
        }
        else
        {
            y[0] = d0; y[1] = d1; y[2] = d2; y[3] = d3;
        }
    }
}
