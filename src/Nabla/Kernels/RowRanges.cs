using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Splits the rows of a compressed sparse row (CSR) matrix into pieces of about equal work for the
/// <see cref="WorkerPool"/>: the cost of rows [0, r) is taken as <c>rowPointers[r] + r</c> (their
/// stored entries plus one per row), so a few long rows and many empty ones both balance.
/// </summary>
/// <remarks>
/// Every sparse kernel computes each output row (or each output segment) entirely inside one
/// piece, in the same order whatever the split, so the number of threads never changes a bit of
/// the result: the split only decides which thread does the work.
/// </remarks>
internal abstract class RowRanges : IParallelWork
{
    // Grown once per kernel object (one per kernel kind and calling thread): no allocation per call.
    private int[] _bounds = new int[9];
    private int _pieces;

    /// <summary>Work below this many multiply-adds (entries × width) runs on the calling thread.</summary>
    public const long ParallelThreshold = 1 << 15;

    /// <summary>
    /// Runs <see cref="RunRows"/> over rows [0, rows) — split over the worker pool when
    /// <paramref name="work"/> (entries × width, the multiply-adds) is large enough — and returns
    /// when every row is done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected void Run(ReadOnlySpan<int> rowPointers, long work)
    {
        int rows = rowPointers.Length - 1;
        if (rows <= 0) return;
        int threads = WorkerPool.MaxThreads;
        if (threads <= 1 || work < ParallelThreshold || WorkerPool.InsideWork || rows < 2)
        {
            RunRows(0, rows);
            return;
        }
        // A few pieces per thread: pieces are handed out dynamically, so a core slowed by another
        // process takes fewer of them.
        int pieces = Math.Min(rows, 4 * threads);
        if (_bounds.Length < pieces + 1) _bounds = new int[pieces + 1];
        long total = rowPointers[rows] + (long)rows;
        _bounds[0] = 0;
        for (int i = 1; i < pieces; i++) _bounds[i] = FirstRowAtCost(rowPointers, total * i / pieces, _bounds[i - 1]);
        _bounds[pieces] = rows;
        _pieces = pieces;
        WorkerPool.Run(this, pieces);
    }

    /// <summary>Computes rows [r0, r1).</summary>
    protected abstract void RunRows(int r0, int r1);

    /// <inheritdoc/>
    public void Execute(int index)
    {
        int r0 = _bounds[index], r1 = _bounds[index + 1];
        if (r1 > r0) RunRows(r0, r1);
    }

    // The first row r ≥ from whose cost rowPointers[r] + r reaches target (binary search).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FirstRowAtCost(ReadOnlySpan<int> rowPointers, long target, int from)
    {
        int lo = from, hi = rowPointers.Length - 1;
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (rowPointers[mid] + (long)mid < target) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
