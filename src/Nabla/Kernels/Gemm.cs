using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>General matrix multiplication (BLAS level 3) on row-major single-precision matrices.</summary>
public static class Gemm
{
    /// <summary>
    /// Below this many multiply-adds (m·n·k) waking a worker costs more than it saves, so the product
    /// stays on the calling thread. Measured on 2 Zen 4 cores: 64³ (2^18) already runs 1.4× faster
    /// on two threads (83 → 117 GFLOP/s), 128³ 1.65×.
    /// </summary>
    internal const long ParallelThreshold = 1L << 18;

    /// <summary>
    /// Computes <c>C = alpha·op(A)·op(B) + beta·C</c> on row-major matrices, where
    /// <c>op(X) = X</c> or <c>Xᵀ</c>. <c>op(A)</c> is m×k, <c>op(B)</c> is k×n and C is m×n.
    /// </summary>
    /// <param name="transA">True to use Aᵀ: A is then stored k×m.</param>
    /// <param name="transB">True to use Bᵀ: B is then stored n×k (e.g. dense weights <c>[out, in]</c>).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A) and rows of op(B); 0 gives <c>C = beta·C</c>.</param>
    /// <param name="alpha">Scale of the product; 0 gives <c>C = beta·C</c> without reading A or B.</param>
    /// <param name="a">Stored A.</param>
    /// <param name="lda">Row stride of stored A in elements (≥ its column count).</param>
    /// <param name="b">Stored B.</param>
    /// <param name="ldb">Row stride of stored B in elements (≥ its column count).</param>
    /// <param name="beta">Scale of the old C; 0 overwrites C without reading it (NaN in C is ignored),
    /// 1 accumulates into C.</param>
    /// <param name="c">C, m×n, updated in place.</param>
    /// <param name="ldc">Row stride of C in elements (≥ n).</param>
    /// <exception cref="ArgumentException">A dimension is negative, a stride is smaller than its
    /// row width, or a span is too short for the shape and stride.</exception>
    /// <remarks>
    /// Products with m·n·k ≥ 2^18 run on <see cref="WorkerPool"/> threads, each writing its own
    /// block of C; the result does not depend on the thread count. Nothing is allocated per call.
    /// </remarks>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        // A few rows times a transposed, dense B (one-sample inference through a Linear layer):
        // packing B would cost more than the product, so read B in place as dot products.
        if (m <= RowDots.MaxRows && !transA && transB && alpha == 1f && (beta == 0f || beta == 1f)
            && lda == k && ldb == k && ldc == n && k > 0)
        {
            Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
            RowDots.Compute(m, n, k, a, b, beta, c);
            return;
        }
        Sgemm(KernelPaths.Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, WorkerPool.MaxThreads);
    }

    /// <summary>Same as the public overload on a chosen path and thread budget.</summary>
    internal static unsafe void Sgemm(KernelPath path, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        int maxThreads)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                ScaleC(m, n, beta, pc, ldc);
                return;
            }

            // op(X)[i, j] lives at x + i·rowStride + j·colStride, so the drivers never branch on transposes.
            var job = new GemmJob(path, m, n, k, alpha,
                pa, transA ? 1 : lda, transA ? lda : 1,
                pb, transB ? 1 : ldb, transB ? ldb : 1,
                beta, pc, ldc);

            int threads = Math.Min(maxThreads, WorkerPool.MaxThreads);
            if (threads > 1 && (long)m * n * k >= ParallelThreshold && !WorkerPool.InsideWork)
                GemmParallel.Run(in job, threads);
            else
                job.RunBlock(0, m, 0, n);
        }
    }

    /// <summary>
    /// A dense layer's forward product <c>Y = X·Wᵀ + 1·biasᵀ</c>: X <c>[m, k]</c>, W <c>[n, k]</c>, bias
    /// <c>[n]</c>, Y <c>[m, n]</c>, all contiguous. The bias is added to each tile of Y as the tile is
    /// written, so Y is not filled with bias rows first and read back by the product; the bits are those
    /// of filling Y with the bias and accumulating the product onto it (beta = 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void LinearForward(int m, int n, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y)
    {
        Validate(false, true, m, n, k, x.Length, k, w.Length, k, y.Length, n);
        Guard.AtLeast(bias.Length, n, nameof(bias));
        if (m == 0 || n == 0) return;
        if (k == 0 || m <= RowDots.MaxRows)
        {
            // Nothing to multiply, or few rows (RowDots reads W in place): fill, then accumulate.
            for (int r = 0; r < m; r++) bias[..n].CopyTo(y.Slice(r * n, n));
            if (k > 0) Sgemm(false, true, m, n, k, 1f, x, k, w, k, 1f, y, n);
            return;
        }
        fixed (float* px = x)
        fixed (float* pw = w)
        fixed (float* pb = bias)
        fixed (float* py = y)
            Run(new GemmJob(KernelPaths.Best, m, n, k, 1f, px, k, 1, pw, 1, k, 0f, py, n, pb));
    }

    /// <summary>
    /// A dense layer's weight and bias gradients from one pass over G: <c>dW = β·dW + Gᵀ·X</c> and
    /// <c>db (+)= Σ_rows G</c>, with G <c>[m, n]</c>, X <c>[m, k]</c>, dW <c>[n, k]</c>, db <c>[n]</c>, all
    /// contiguous. The column sums of G are taken from the panels of Gᵀ the product packs anyway, so G is
    /// not read a second time; their bits are those of adding the rows of G one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void WeightAndBiasGradient(int m, int n, int k, ReadOnlySpan<float> g, ReadOnlySpan<float> x,
        float beta, Span<float> dw, Span<float> db, bool accumulateDb)
    {
        Validate(true, false, n, k, m, g.Length, n, x.Length, k, dw.Length, k);
        Guard.AtLeast(db.Length, n, nameof(db));
        if (m == 0 || n == 0 || k == 0)
        {
            if (n > 0 && k > 0) Sgemm(true, false, n, k, m, 1f, g, n, x, k, beta, dw, k);
            if (!accumulateDb) db[..n].Clear();
            for (int r = 0; r < m; r++) Primitives.Add(db[..n], g.Slice(r * n, n), db[..n]);
            return;
        }
        fixed (float* pg = g)
        fixed (float* px = x)
        fixed (float* pdw = dw)
        fixed (float* pdb = db)
            Run(new GemmJob(KernelPaths.Best, n, k, m, 1f, pg, 1, n, px, k, 1, beta, pdw, k, null, pdb, accumulateDb));
    }

    /// <summary>
    /// Columns of the B panels the serial driver of <paramref name="path"/> packs for an n-column product: the
    /// micro-kernel's NR (the same choice as <see cref="RunPath"/>).
    /// </summary>
    internal static int PackedPanelWidth(KernelPath path, int n) => path switch
    {
        KernelPath.Vector512 when n <= GemmMicroKernel512Narrow.NR => GemmMicroKernel512Narrow.NR,
        KernelPath.Vector512 => GemmMicroKernel512.NR,
        KernelPath.Vector256 => GemmMicroKernel256.NR,
        _ => GemmMicroKernelScalar.NR,
    };

    /// <summary>
    /// <c>C = A·B</c> on one thread with B given already packed: A <c>[m, k]</c> (row stride lda), C <c>[m, n]</c>
    /// (row stride ldc), and B as ⌈n / NR⌉ panels of k rows × NR columns (NR = <see cref="PackedPanelWidth"/>), panel
    /// J holding columns J·NR … J·NR + NR − 1 as <c>packedB[(J·k + p)·NR + j]</c>, columns past n zero. The driver
    /// reads its k blocks straight from the panels instead of copying B, so the bits are those of <c>Sgemm</c> on the
    /// unpacked B.
    /// </summary>
    internal static unsafe void SgemmPackedB(KernelPath path, int m, int n, int k, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> packedB, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 1)
            throw new ArgumentException($"SgemmPackedB needs m, n >= 0 and k >= 1, got m={m}, n={n}, k={k}.");
        CheckMatrix("A", m, k, a.Length, lda, "lda");
        CheckMatrix("C", m, n, c.Length, ldc, "ldc");
        int nr = PackedPanelWidth(path, n);
        Guard.AtLeast(packedB.Length, (long)(n + nr - 1) / nr * nr * k, nameof(packedB));
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = packedB)
        fixed (float* pc = c)
            RunPath(path, m, n, k, 1f, pa, lda, 1, null, 0, 0, 0f, pc, ldc, packedB: pb);
    }

    private static void Run(in GemmJob job)
    {
        int threads = WorkerPool.MaxThreads;
        if (threads > 1 && (long)job.M * job.N * job.K >= ParallelThreshold && !WorkerPool.InsideWork)
            GemmParallel.Run(in job, threads);
        else
            job.RunBlock(0, job.M, 0, job.N);
    }

    /// <summary>Runs the serial driver of <paramref name="path"/> on one block of C (bias and row sums: see <see cref="GemmDriver{TKernel}.Run"/>).</summary>
    internal static unsafe void RunPath(KernelPath path, int m, int n, int k, float alpha,
        float* a, nint rsA, nint csA, float* b, nint rsB, nint csB, float beta, float* c, nint ldc, float* bias = null,
        float* rowSums = null, bool accumulateRowSums = false, float* packedB = null)
    {
        switch (path)
        {
            case KernelPath.Vector512 when n <= GemmMicroKernel512Narrow.NR:
                GemmDriver<GemmMicroKernel512Narrow>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc, bias, rowSums, accumulateRowSums, packedB);
                break;
            case KernelPath.Vector512:
                GemmDriver<GemmMicroKernel512>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc, bias, rowSums, accumulateRowSums, packedB);
                break;
            case KernelPath.Vector256:
                GemmDriver<GemmMicroKernel256>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc, bias, rowSums, accumulateRowSums, packedB);
                break;
            default:
                GemmDriver<GemmMicroKernelScalar>.Run(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc, bias, rowSums, accumulateRowSums, packedB);
                break;
        }
    }

    /// <summary>Register tile (rows, columns) of a path; blocks handed to threads are multiples of it.</summary>
    internal static (int Mr, int Nr) Tile(KernelPath path) => path switch
    {
        KernelPath.Vector512 => (GemmMicroKernel512.MR, GemmMicroKernel512.NR),
        KernelPath.Vector256 => (GemmMicroKernel256.MR, GemmMicroKernel256.NR),
        _ => (GemmMicroKernelScalar.MR, GemmMicroKernelScalar.NR),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (nint)i * ldc, n);
            // beta = 0 must not propagate NaN/Inf garbage, so it is a fill, not a multiply.
            if (beta == 0f) row.Clear();
            else Primitives.Multiply(row, beta, row);
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Sgemm dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        CheckMatrix("A", transA ? k : m, transA ? m : k, aLength, lda, "lda");
        CheckMatrix("B", transB ? n : k, transB ? k : n, bLength, ldb, "ldb");
        CheckMatrix("C", m, n, cLength, ldc, "ldc");
    }

    private static void CheckMatrix(string name, int rows, int cols, int length, int ld, string ldName)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException(
                $"Sgemm: {ldName}={ld} is smaller than the {cols} columns of stored {name} ({rows}×{cols}).", ldName);
        if (rows == 0 || cols == 0) return;
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException(
                $"Sgemm: {name} has {length} elements but a {rows}×{cols} matrix with {ldName}={ld} needs {needed}.",
                name.ToLowerInvariant());
    }
}
