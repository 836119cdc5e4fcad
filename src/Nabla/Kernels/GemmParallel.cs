namespace Nabla.Kernels;

/// <summary>One validated SGEMM call in stride form, able to run any rectangular block of C.</summary>
internal readonly unsafe struct GemmJob(GemmPath path, int m, int n, int k, float alpha,
    float* a, nint rsA, nint csA, float* b, nint rsB, nint csB, float beta, float* c, nint ldc)
{
    public readonly GemmPath Path = path;
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
            Beta, C + i0 * Ldc + j0, Ldc);
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

    private void Prepare(in GemmJob job, int threads, out int pieces)
    {
        _job = job;
        var (mr, nr) = Gemm.Tile(job.Path);
        int rowTiles = (job.M + mr - 1) / mr;
        int colTiles = (job.N + nr - 1) / nr;

        // Prefer splitting columns: each piece then packs only its own part of B, and B is the
        // operand that is packed once and reused across all rows. Rows are split only when there
        // are too few column tiles to go round.
        int colPieces = Math.Min(threads, colTiles);
        int rowPieces = Math.Min(Math.Max(1, threads / colPieces), rowTiles);
        int colTilesPerPiece = (colTiles + colPieces - 1) / colPieces;
        int rowTilesPerPiece = (rowTiles + rowPieces - 1) / rowPieces;
        _colsPerPiece = colTilesPerPiece * nr;
        _rowsPerPiece = rowTilesPerPiece * mr;
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
