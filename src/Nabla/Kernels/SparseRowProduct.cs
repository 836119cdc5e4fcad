using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// y = β·y + x·Bᵀ for one row x [k] that has many zeros, with Bᵀ given transposed ([k, n]
/// row-major): y[j] = β·y[j] + Σ_{p : x[p] ≠ 0} x[p]·Bᵀ[p, j]. Only the rows of Bᵀ whose x[p] is
/// non-zero are read.
/// </summary>
/// <remarks>
/// One-sample inference is bound by reading the weights (800 KB for a 784→256 layer); an image
/// with a blank background, or a layer input after ReLU, has a third to two thirds zeros, and
/// each one skips a contiguous row of Bᵀ. Skipping a zero changes nothing except that a NaN or
/// infinite weight facing a zero input no longer turns the output into NaN (0·∞), and the sums
/// run in another order than the dense product's, so the last bits can differ from a batch of one.
/// </remarks>
public static class SparseRowProduct
{
    /// <summary>Columns per block: 8 vector accumulators stay in registers across the nonzero rows.</summary>
    private const int Block = 128;

    /// <summary>Fraction of zeros in x from which skipping pays for itself.</summary>
    public const double MinZeroFraction = 0.25;

    /// <summary>Computes y (length n) from x (length k) and Bᵀ (k × n); β is 0 or 1 (0 overwrites).</summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix or β is neither 0 nor 1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static unsafe void Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> bT, int n, float beta, Span<float> y)
    {
        int k = x.Length;
        if (bT.Length < (long)k * n || y.Length < n)
            throw new ArgumentException($"SparseRowProduct: spans too short for k={k}, n={n} (Bᵀ {bT.Length}, y {y.Length})");
        if (beta != 0f && beta != 1f) throw new ArgumentException($"SparseRowProduct: beta must be 0 or 1, got {beta}", nameof(beta));
        // Wide inputs use a per-thread buffer grown once, so no call allocates.
        Span<int> nonzero = k <= 4096 ? stackalloc int[k + 1] : (_wide is { } w && w.Length > k ? w : _wide = new int[k + 1]);
        int count = NonzeroIndices(x, nonzero);
        bool add = beta == 1f;
        // As in RowDots: with a second core each thread streams, and keeps in its own L2, half of
        // every row of Bᵀ. Each y[j] is computed the same way on any thread count.
        int threads = Math.Min(WorkerPool.MaxThreads, n / Block);
        if (threads > 1 && (long)count * n >= ParallelThreshold && !WorkerPool.InsideWork)
        {
            fixed (float* px = x, pb = bT, py = y)
            fixed (int* pn = nonzero)
            {
                var work = _work ??= new Split();
                work.Set(px, k, pb, n, pn, count, add, py, threads);
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
        Columns(x, bT, n, nonzero[..count], add, y, 0, n);
    }

    private const long ParallelThreshold = 1 << 15;

    [ThreadStatic] private static Split? _work;
    [ThreadStatic] private static int[]? _wide;

    // Column blocks of y shared out between threads.
    private sealed unsafe class Split : IParallelWork
    {
        private float* _x, _bT, _y;
        private int* _nonzero;
        private int _k, _n, _count, _pieces;
        private bool _add;

        public void Set(float* x, int k, float* bT, int n, int* nonzero, int count, bool add, float* y, int pieces)
        {
            _x = x;
            _bT = bT;
            _y = y;
            _nonzero = nonzero;
            (_k, _n, _count, _add, _pieces) = (k, n, count, add, pieces);
        }

        public void Clear()
        {
            _x = _bT = _y = null;
            _nonzero = null;
        }

        public void Execute(int index)
        {
            int blocks = (_n + Block - 1) / Block;
            int j0 = Math.Min(_n, blocks * index / _pieces * Block), j1 = Math.Min(_n, blocks * (index + 1) / _pieces * Block);
            Columns(new ReadOnlySpan<float>(_x, _k), new ReadOnlySpan<float>(_bT, _k * _n), _n,
                new ReadOnlySpan<int>(_nonzero, _count), _add, new Span<float>(_y, _n), j0, j1);
        }
    }

    /// <summary>True when x has enough zeros for <see cref="Compute"/> to beat the dense product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool WorthSkipping(ReadOnlySpan<float> x)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        int zeros = 0, p = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; p + 16 <= x.Length; p += 16)
                zeros += BitOperations.PopCount(Vector512.Equals(Vector512.LoadUnsafe(ref rx, (nuint)p), Vector512<float>.Zero).ExtractMostSignificantBits());
        else if (Vector256.IsHardwareAccelerated)
            for (; p + 8 <= x.Length; p += 8)
                zeros += BitOperations.PopCount(Vector256.Equals(Vector256.LoadUnsafe(ref rx, (nuint)p), Vector256<float>.Zero).ExtractMostSignificantBits());
        for (; p < x.Length; p++) zeros += Unsafe.Add(ref rx, p) == 0f ? 1 : 0;
        return zeros >= x.Length * MinZeroFraction;
    }

    // The positions of x's nonzero elements, in order. Without branches per element: a new image's
    // zero pattern would mispredict about every other pixel (measured 11.6 → 8.7 µs per call when
    // cycling through 1,000 test images).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int NonzeroIndices(ReadOnlySpan<float> x, Span<int> indices)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        int count = 0, p = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; p + 16 <= x.Length; p += 16)
            {
                ulong mask = ~Vector512.Equals(Vector512.LoadUnsafe(ref rx, (nuint)p), Vector512<float>.Zero).ExtractMostSignificantBits() & 0xFFFF;
                while (mask != 0)
                {
                    indices[count++] = p + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; p + 8 <= x.Length; p += 8)
            {
                uint mask = ~Vector256.Equals(Vector256.LoadUnsafe(ref rx, (nuint)p), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFF;
                while (mask != 0)
                {
                    indices[count++] = p + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }
        for (; p < x.Length; p++)
        {
            indices[count] = p;
            count += Unsafe.Add(ref rx, p) != 0f ? 1 : 0;
        }
        return count;
    }

    // Columns [j0, j1) of y.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns(ReadOnlySpan<float> x, ReadOnlySpan<float> bT, int n, ReadOnlySpan<int> nonzero, bool add, Span<float> y, int j0, int j1)
    {
        ref float rb = ref MemoryMarshal.GetReference(bT);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int j = j0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + Block <= j1; j += Block)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                foreach (int p in nonzero)
                {
                    var xv = Vector512.Create(x[p]);
                    ref float row = ref Unsafe.Add(ref rb, (nint)p * n + j);
                    s0 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row), s0);
                    s1 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row, 16), s1);
                    s2 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row, 32), s2);
                    s3 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row, 48), s3);
                    s4 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row, 64), s4);
                    s5 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row, 80), s5);
                    s6 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row, 96), s6);
                    s7 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref row, 112), s7);
                }
                ref float dst = ref Unsafe.Add(ref ry, j);
                Store(s0, ref dst, 0, add); Store(s1, ref dst, 16, add); Store(s2, ref dst, 32, add); Store(s3, ref dst, 48, add);
                Store(s4, ref dst, 64, add); Store(s5, ref dst, 80, add); Store(s6, ref dst, 96, add); Store(s7, ref dst, 112, add);
            }
            for (; j + 16 <= j1; j += 16)
            {
                Vector512<float> s = default;
                foreach (int p in nonzero)
                    s = Vector512.FusedMultiplyAdd(Vector512.Create(x[p]), Vector512.LoadUnsafe(ref Unsafe.Add(ref rb, (nint)p * n + j)), s);
                Store(s, ref Unsafe.Add(ref ry, j), 0, add);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // AVX2 has 16 registers: 8 accumulators of 8 columns and the broadcast x[p].
            for (; j + Block / 2 <= j1; j += Block / 2)
            {
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                foreach (int p in nonzero)
                {
                    var xv = Vector256.Create(x[p]);
                    ref float row = ref Unsafe.Add(ref rb, (nint)p * n + j);
                    s0 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row), s0);
                    s1 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row, 8), s1);
                    s2 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row, 16), s2);
                    s3 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row, 24), s3);
                    s4 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row, 32), s4);
                    s5 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row, 40), s5);
                    s6 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row, 48), s6);
                    s7 = Vector256.FusedMultiplyAdd(xv, Vector256.LoadUnsafe(ref row, 56), s7);
                }
                ref float dst = ref Unsafe.Add(ref ry, j);
                Store(s0, ref dst, 0, add); Store(s1, ref dst, 8, add); Store(s2, ref dst, 16, add); Store(s3, ref dst, 24, add);
                Store(s4, ref dst, 32, add); Store(s5, ref dst, 40, add); Store(s6, ref dst, 48, add); Store(s7, ref dst, 56, add);
            }
            for (; j + 8 <= j1; j += 8)
            {
                Vector256<float> s = default;
                foreach (int p in nonzero)
                    s = Vector256.FusedMultiplyAdd(Vector256.Create(x[p]), Vector256.LoadUnsafe(ref Unsafe.Add(ref rb, (nint)p * n + j)), s);
                Store(s, ref Unsafe.Add(ref ry, j), 0, add);
            }
        }
        for (; j < j1; j++)
        {
            float s = 0f;
            foreach (int p in nonzero) s = MathF.FusedMultiplyAdd(x[p], Unsafe.Add(ref rb, (nint)p * n + j), s);
            Unsafe.Add(ref ry, j) = add ? Unsafe.Add(ref ry, j) + s : s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> s, ref float dst, nuint offset, bool add) =>
        (add ? s + Vector512.LoadUnsafe(ref dst, offset) : s).StoreUnsafe(ref dst, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> s, ref float dst, nuint offset, bool add) =>
        (add ? s + Vector256.LoadUnsafe(ref dst, offset) : s).StoreUnsafe(ref dst, offset);
}
