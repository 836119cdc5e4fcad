using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The B operand of many products C = A·op(B) + β·C packed once in the micro-kernels' panel order:
/// a recurrent layer multiplies by the same W_hh at every timestep, so packing it per product (what
/// <see cref="Gemm.Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// must do) repeats the same copy T times.
/// </summary>
/// <remarks>
/// The k and n blocking are <see cref="GemmDriver{TKernel}"/>'s (equal k blocks), so every element
/// of C sums its k terms in one fixed order whatever rows a call covers: splitting the rows of a
/// product across threads never changes a bit. Calls with disjoint rows of C may run concurrently
/// (packed A lives in per-thread buffers); the packed B is only read. Instances are pooled per
/// thread (<see cref="Rent"/>/<see cref="Return"/>) and keep their pinned buffer, so steady-state
/// use allocates nothing.
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    private const int AlignFloats = 16;
    [ThreadStatic] private static Stack<PackedMatrix>? _pool;

    private float[] _buffer = [];
    private float* _data;
    private KernelPath _path;
    private int _k, _n, _kcStep;

    /// <summary>Rows of op(B) (the product's inner dimension).</summary>
    public int K => _k;

    /// <summary>Columns of op(B) and C.</summary>
    public int N => _n;

    /// <summary>An instance from this thread's pool (or new).</summary>
    public static PackedMatrix Rent() => _pool is { Count: > 0 } pool ? pool.Pop() : new PackedMatrix();

    /// <summary>Gives an instance back to this thread's pool.</summary>
    public static void Return(PackedMatrix matrix) => (_pool ??= new Stack<PackedMatrix>()).Push(matrix);

    /// <summary>Packs op(B) (k × n; B stored n × k when <paramref name="transB"/>) for the fastest path.</summary>
    public void Pack(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb) => Pack(KernelPaths.Best, transB, k, n, b, ldb);

    /// <summary>Packs op(B) for the micro-kernel of <paramref name="path"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Pack(KernelPath path, bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Guard.AtLeast(b.Length, transB ? (long)(n - 1) * ldb + k : (long)(k - 1) * ldb + n, nameof(b));
        _path = path;
        _k = k;
        _n = n;
        switch (path)
        {
            case KernelPath.Vector512: PackAll<GemmMicroKernel512>(transB, b, ldb); break;
            case KernelPath.Vector256: PackAll<GemmMicroKernel256>(transB, b, ldb); break;
            default: PackAll<GemmMicroKernelScalar>(transB, b, ldb); break;
        }
    }

    /// <summary>
    /// C = A·op(B) + β·C for <paramref name="m"/> rows, A m × <see cref="K"/> at row stride
    /// <paramref name="lda"/>, C m × <see cref="N"/> at row stride <paramref name="ldc"/>; β is 0 or 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(int m, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
    {
        if (m == 0) return;
        if (beta is not (0f or 1f)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "PackedMatrix.Multiply: beta must be 0 or 1");
        Guard.AtLeast(a.Length, (long)(m - 1) * lda + _k, nameof(a));
        Guard.AtLeast(c.Length, (long)(m - 1) * ldc + _n, nameof(c));
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            switch (_path)
            {
                case KernelPath.Vector512: MultiplyAll<GemmMicroKernel512>(m, pa, lda, beta, pc, ldc); break;
                case KernelPath.Vector256: MultiplyAll<GemmMicroKernel256>(m, pa, lda, beta, pc, ldc); break;
                default: MultiplyAll<GemmMicroKernelScalar>(m, pa, lda, beta, pc, ldc); break;
            }
        }
    }

    // Panels in the order the products read them: for each n block, for each k block, the NR-wide
    // column panels (kc × NR, zero-padded past n).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackAll<TKernel>(bool transB, ReadOnlySpan<float> b, int ldb) where TKernel : struct, IGemmMicroKernel
    {
        int nr = TKernel.Cols, ncMax = TKernel.NC;
        int kBlocks = (_k + TKernel.KC - 1) / TKernel.KC;
        _kcStep = (_k + kBlocks - 1) / kBlocks;
        long size = (long)_k * ((_n + nr - 1) / nr * nr);
        if (_buffer.Length < size + AlignFloats)
        {
            _buffer = GC.AllocateUninitializedArray<float>((int)size + AlignFloats, pinned: true);
            // Pinned-heap arrays never move, so the aligned pointer stays valid.
            nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer));
            _data = (float*)((p + 63) & ~(nint)63);
        }
        nint rs = transB ? 1 : ldb, cs = transB ? ldb : 1;
        fixed (float* pb = b)
        {
            float* dst = _data;
            for (int jc = 0; jc < _n; jc += ncMax)
            {
                int nc = Math.Min(ncMax, _n - jc);
                for (int pc = 0; pc < _k; pc += _kcStep)
                {
                    int kc = Math.Min(_kcStep, _k - pc);
                    for (int jr = 0; jr < nc; jr += nr)
                        GemmPacking.PackB<TKernel>(pb + pc * rs + (jc + jr) * cs, rs, cs, Math.Min(nr, nc - jr), kc, dst + jr * kc);
                    dst += kc * ((nc + nr - 1) / nr * nr);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MultiplyAll<TKernel>(int m, float* a, nint lda, float beta, float* c, nint ldc) where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.Rows, nr = TKernel.Cols, ncMax = TKernel.NC;
        float* packA = GemmBuffers.PackA(mr * TKernel.KC);
        float* edge = GemmBuffers.EdgeTile(mr * nr);
        float* bBlock = _data;
        for (int jc = 0; jc < _n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, _n - jc);
            int panels = (nc + nr - 1) / nr * nr;
            for (int pc = 0; pc < _k; pc += _kcStep)
            {
                int kc = Math.Min(_kcStep, _k - pc);
                float betaBlock = pc == 0 ? beta : 1f;
                for (int ir = 0; ir < m; ir += mr)
                {
                    int rows = Math.Min(mr, m - ir);
                    GemmPacking.PackA<TKernel>(a + ir * lda + pc, lda, 1, rows, kc, 1f, packA);
                    float* cRow = c + ir * ldc + jc;
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        if (rows == mr && cols == nr)
                        {
                            TKernel.Run(kc, packA, bBlock + jr * kc, cRow + jr, ldc, betaBlock);
                            continue;
                        }
                        TKernel.Run(kc, packA, bBlock + jr * kc, edge, nr, 0f);
                        MergeEdge(edge, nr, rows, cols, cRow + jr, ldc, betaBlock);
                    }
                }
                bBlock += kc * panels;
            }
        }
    }

    // The valid corner of an edge tile into C with the full-tile store's operations (C + acc, or
    // acc), so a row's bits do not depend on whether it fell in an edge tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeEdge(float* tile, int stride, int rows, int cols, float* c, nint ldc, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            float* src = tile + i * stride;
            float* dst = c + i * ldc;
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; j + 8 <= cols; j += 8)
                    Vector256.Store(beta == 0f ? Vector256.Load(src + j) : Vector256.Load(dst + j) + Vector256.Load(src + j), dst + j);
            for (; j < cols; j++) dst[j] = beta == 0f ? src[j] : dst[j] + src[j];
        }
    }
}
