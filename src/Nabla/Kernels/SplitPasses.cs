using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// ReLU forward and backward over large spans, split across threads with <see cref="RangeSplit"/>.
/// Both are exact (a max and a select), so any split gives the bits of the serial pass.
/// </summary>
internal sealed unsafe class ReluSplit : RangeSplit
{
    /// <summary>
    /// Below 2^15 elements (a 128×256 hidden layer is exactly that) the hand-off to a worker costs about
    /// what it saves: the pass is a few µs of memory traffic.
    /// </summary>
    public const int ParallelThreshold = 1 << 15;

    [ThreadStatic] private static ReluSplit? _cached;

    private float* _x, _g, _dst;
    private bool _backward, _accumulate;

    /// <summary>dst = max(x, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> dst)
    {
        var work = _cached ??= new ReluSplit();
        fixed (float* px = x)
        fixed (float* pd = dst)
        {
            work._x = px;
            work._g = null;
            work._dst = pd;
            (work._backward, work._accumulate) = (false, false);
            try
            {
                work.Run(x.Length, 16, x.Length >= ParallelThreshold);
            }
            finally
            {
                work._x = work._dst = null;
            }
        }
    }

    /// <summary>dx (+)= g·[x &gt; 0].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool accumulate)
    {
        var work = _cached ??= new ReluSplit();
        fixed (float* px = x)
        fixed (float* pg = g)
        fixed (float* pd = dx)
        {
            work._x = px;
            work._g = pg;
            work._dst = pd;
            (work._backward, work._accumulate) = (true, accumulate);
            try
            {
                work.Run(x.Length, 16, x.Length >= ParallelThreshold);
            }
            finally
            {
                work._x = work._g = work._dst = null;
            }
        }
    }

    protected override void RunRange(int start, int end)
    {
        int n = end - start;
        var x = new ReadOnlySpan<float>(_x + start, n);
        var dst = new Span<float>(_dst + start, n);
        if (_backward) ActivationGrads.ReluGrad(x, new ReadOnlySpan<float>(_g + start, n), dst, _accumulate, KernelPaths.Best);
        else Primitives.Max(x, 0f, dst);
    }
}

/// <summary>Log-softmax over the rows of a matrix, rows split across threads (each row is computed whole, as serially).</summary>
internal sealed unsafe class LogSoftmaxSplit : RangeSplit
{
    /// <summary>
    /// From this many elements the rows are split: a batch of 128 rows of 10 classes (the MLP's loss) took
    /// 13–18 µs on the calling thread, about 100 ns per short row.
    /// </summary>
    public const int ParallelThreshold = 1 << 10;

    [ThreadStatic] private static LogSoftmaxSplit? _cached;

    private float* _src, _dst;
    private int _cols;
    private KernelPath _path;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, KernelPath path)
    {
        var work = _cached ??= new LogSoftmaxSplit();
        fixed (float* ps = src)
        fixed (float* pd = dst)
        {
            work._src = ps;
            work._dst = pd;
            (work._cols, work._path) = (cols, path);
            try
            {
                work.Run(rows, 1, (long)rows * cols >= ParallelThreshold);
            }
            finally
            {
                work._src = work._dst = null;
            }
        }
    }

    protected override void RunRange(int start, int end)
    {
        int n = (end - start) * _cols;
        SoftmaxKernels.LogSoftmaxRows(new ReadOnlySpan<float>(_src + (long)start * _cols, n), end - start, _cols,
            new Span<float>(_dst + (long)start * _cols, n), _path);
    }
}
