using System.Runtime.CompilerServices;
namespace Nabla.Kernels;

/// <summary>One validated SGEMM call in stride form, able to run any rectangular block of C.</summary>
internal readonly unsafe struct GemmJob(KernelPath path, int m, int n, int k, float alpha,
    float* a, nint rsA, nint csA, float* b, nint rsB, nint csB, float beta, float* c, nint ldc, float* bias = null,
    float* rowSums = null, bool accumulateRowSums = false)
{
    /// <summary>Per-column bias added to C as it is first written (beta is 0), or null.</summary>
    public readonly float* Bias = bias;

    /// <summary>Where the row sums of op(A) go (alpha is 1), or null; the blocks starting at column 0 write them.</summary>
    public readonly float* RowSums = rowSums;

    public readonly bool AccumulateRowSums = accumulateRowSums;

    public readonly KernelPath Path = path;
    public readonly int M = m, N = n, K = k;
    public readonly float Alpha = alpha, Beta = beta;
    public readonly float* A = a, B = b, C = c;
    public readonly nint RsA = rsA, CsA = csA, RsB = rsB, CsB = csB, Ldc = ldc;

    /// <summary>Computes rows [i0, i0+rows) × columns [j0, j0+cols) of C.</summary>
    /// <remarks>
    /// Every element of C sees the same k-blocking and the same instruction sequence whichever
    /// block it falls in (edge tiles are merged with the same fused operations as full tiles), so
    /// splitting C differently never changes a bit of the result.
    /// </remarks>
    public void RunBlock(int i0, int rows, int j0, int cols) =>
        Gemm.RunPath(Path, rows, cols, K, Alpha,
            A + i0 * RsA, RsA, CsA,
            B + j0 * CsB, RsB, CsB,
            Beta, C + i0 * Ldc + j0, Ldc, Bias == null ? null : Bias + j0,
            RowSums == null || j0 != 0 ? null : RowSums + i0, AccumulateRowSums);
}

/// <summary>Splits a large SGEMM into disjoint blocks of C and runs them on <see cref="WorkerPool"/>.</summary>
internal sealed class GemmParallel : IParallelWork
{
    // One cached instance per calling thread: two threads may run large products at once, and each
    // needs its own copy of the arguments while WorkerPool serialises the actual runs.
    [ThreadStatic] private static GemmParallel? _cached;

    private GemmJob _job;
    private int _rowsPerPiece;
    private int _colsPerPiece;
    private int _pieceColumns;

    public static void Run(in GemmJob job, int threads)
    {
        var work = _cached ??= new GemmParallel();
        work.Prepare(in job, threads, out int pieces);
        try
        {
            WorkerPool.Run(work, pieces);
        }
        finally
        {
            work._job = default;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Prepare(in GemmJob job, int threads, out int pieces)
    {
        _job = job;
        var (mr, nr) = Gemm.Tile(job.Path);
        int rowTiles = (job.M + mr - 1) / mr;
        int colTiles = (job.N + nr - 1) / nr;

        // Very large products get 4 pieces per thread: WorkerPool hands pieces out dynamically, so
        // a thread whose core is shared with another process simply takes fewer. Below 2^27
        // multiply-adds (every MLP product) one piece per thread: each piece repacks its share of A
        // and B, and splitting 128×256×784 into 4 pieces instead of 2 packed 50 % more and ran
        // 172–182 against 185–192 GFLOP/s on 2 threads (MLP epoch 0.51 → 0.49 s).
        long work = (long)job.M * job.N * job.K;
        int target = threads * (work >= 1L << 27 ? 4 : 1);

        // Each piece packs rows·k of A and k·cols of B for rows·cols·k multiply-adds, so the
        // split with the smallest 1/rows + 1/cols repacks least; ties go to splitting columns,
        // which keeps whole rows of packed A per piece. An A the AVX2 driver reads in place is only
        // read, not transposed and written, so (at one piece per thread) its term weighs half: the
        // 128-row products of a dense layer then split by columns and no thread transposes all of
        // the weight, while a tall, narrow product still splits by rows and reads A once.
        double aWeight = work < 1L << 27 && job.Path == KernelPath.Vector256 && job.RowSums == null
            && GemmMicroKernel256.ReadsRowsA(job.RsA, job.CsA, job.Alpha) ? 0.5 : 1.0;
        int bestCols = 1, bestRows = 1;
        double bestCost = double.MaxValue;
        for (int cp = 1; cp <= Math.Min(target, colTiles); cp++)
        {
            int rp = Math.Min((target + cp - 1) / cp, rowTiles);
            int colsPer = (colTiles + cp - 1) / cp * nr, rowsPer = (rowTiles + rp - 1) / rp * mr;
            int count = ((job.N + colsPer - 1) / colsPer) * ((job.M + rowsPer - 1) / rowsPer);
            // A count that threads cannot share evenly leaves a core idle at the end: avoid it
            // unless nothing else fits.
            double cost = 1.0 / rowsPer + aWeight / colsPer + (count % threads != 0 ? 1 : 0);
            if (cost <= bestCost + 1e-12)
                (bestCost, bestCols, bestRows) = (cost, cp, rp);
        }

        _colsPerPiece = (colTiles + bestCols - 1) / bestCols * nr;
        _rowsPerPiece = (rowTiles + bestRows - 1) / bestRows * mr;
        _pieceColumns = (job.N + _colsPerPiece - 1) / _colsPerPiece;
        int pieceRows = (job.M + _rowsPerPiece - 1) / _rowsPerPiece;
        pieces = _pieceColumns * pieceRows;
    }

    public void Execute(int index)
    {
        int pr = index / _pieceColumns, pc = index % _pieceColumns;
        int i0 = pr * _rowsPerPiece, j0 = pc * _colsPerPiece;
        int rows = Math.Min(_rowsPerPiece, _job.M - i0);
        int cols = Math.Min(_colsPerPiece, _job.N - j0);
        if (rows > 0 && cols > 0) _job.RunBlock(i0, rows, j0, cols);
    }
}
