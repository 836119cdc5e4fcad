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

/// <summary>
/// A convolution's bias gradient db[o] (+)= Σ_{n,p} dY[n, o, p], output channels split across threads. Each channel
/// is summed whole, in the serial order (per image a <see cref="Primitives.Sum"/> over its plane, added in double in
/// image order), so any split gives the serial bits.
/// </summary>
internal sealed unsafe class ConvBiasGradSplit : RangeSplit
{
    /// <summary>From this many gradient elements the channels are split (the summing pass is memory-bound).</summary>
    public const int ParallelThreshold = 1 << 15;

    [ThreadStatic] private static ConvBiasGradSplit? _cached;

    private float* _dy, _db;
    private int _batch, _channels, _pixels;
    private bool _accumulate;

    /// <summary>db[o] (+)= Σ_{n,p} dy[(n·channels + o)·pixels + p].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ReadOnlySpan<float> dy, int batch, int channels, int pixels, Span<float> db, bool accumulate)
    {
        Guard.AtLeast(dy.Length, (long)batch * channels * pixels, "dy");
        Guard.AtLeast(db.Length, channels, "db");
        var work = _cached ??= new ConvBiasGradSplit();
        fixed (float* py = dy)
        fixed (float* pb = db)
        {
            work._dy = py;
            work._db = pb;
            (work._batch, work._channels, work._pixels, work._accumulate) = (batch, channels, pixels, accumulate);
            try
            {
                work.Run(channels, 1, (long)batch * channels * pixels >= ParallelThreshold);
            }
            finally
            {
                work._dy = work._db = null;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void RunRange(int start, int end)
    {
        int p = _pixels;
        for (int o = start; o < end; o++)
        {
            double s = 0;
            for (int i = 0; i < _batch; i++) s += Primitives.Sum(new ReadOnlySpan<float>(_dy + ((long)i * _channels + o) * p, p));
            _db[o] = (float)(_accumulate ? _db[o] + s : s);
        }
    }
}

/// <summary>
/// Max pooling forward and backward over N·C planes, planes split across threads. Every plane is pooled (or
/// scattered back) on its own exactly as serially, so any split gives the serial bits.
/// </summary>
internal sealed unsafe class MaxPoolSplit : RangeSplit
{
    /// <summary>From this many input elements the planes are split.</summary>
    public const int ParallelThreshold = 1 << 15;

    [ThreadStatic] private static MaxPoolSplit? _cached;

    private float* _x, _y;
    private int* _argmax;
    private ConvGeometry _g;
    private bool _backward, _accumulate;

    /// <summary><see cref="PoolingKernels.MaxPool(in ConvGeometry, int, ReadOnlySpan{float}, Span{float}, Span{int})"/>, planes split.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, int planes, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        Guard.AtLeast(x.Length, (long)planes * g.Height * g.Width, "x");
        Guard.AtLeast(y.Length, (long)planes * g.OutPixels, "y");
        Guard.AtLeast(argmax.Length, (long)planes * g.OutPixels, "argmax");
        var work = _cached ??= new MaxPoolSplit();
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (int* pa = argmax)
        {
            work._x = px;
            work._y = py;
            work._argmax = pa;
            work._g = g;
            (work._backward, work._accumulate) = (false, false);
            try
            {
                work.Run(planes, 1, (long)planes * g.Height * g.Width >= ParallelThreshold);
            }
            finally
            {
                work._x = work._y = null;
                work._argmax = null;
            }
        }
    }

    /// <summary>dx (+)= the scatter of dy to each window's first maximum (dx cleared first unless accumulating), planes split.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in ConvGeometry g, int planes, ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, bool accumulate)
    {
        Guard.AtLeast(dx.Length, (long)planes * g.Height * g.Width, "dx");
        Guard.AtLeast(dy.Length, (long)planes * g.OutPixels, "dy");
        Guard.AtLeast(argmax.Length, (long)planes * g.OutPixels, "argmax");
        var work = _cached ??= new MaxPoolSplit();
        fixed (float* px = dx)
        fixed (float* py = dy)
        fixed (int* pa = argmax)
        {
            work._x = px;
            work._y = py;
            work._argmax = pa;
            work._g = g;
            (work._backward, work._accumulate) = (true, accumulate);
            try
            {
                work.Run(planes, 1, (long)planes * g.Height * g.Width >= ParallelThreshold);
            }
            finally
            {
                work._x = work._y = null;
                work._argmax = null;
            }
        }
    }

    protected override void RunRange(int start, int end)
    {
        int planes = end - start, hw = _g.Height * _g.Width, ohw = _g.OutPixels;
        var x = new Span<float>(_x + (long)start * hw, planes * hw);
        var y = new Span<float>(_y + (long)start * ohw, planes * ohw);
        var idx = new Span<int>(_argmax + (long)start * ohw, planes * ohw);
        if (!_backward)
        {
            PoolingKernels.MaxPool(_g, planes, x, y, idx);
            return;
        }
        if (!_accumulate) x.Clear();
        PoolingKernels.MaxPoolGrad(_g, planes, y, idx, x);
    }
}
