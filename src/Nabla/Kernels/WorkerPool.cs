using System.Runtime.CompilerServices;
namespace Nabla.Kernels;

/// <summary>
/// A unit of parallel work split into <c>count</c> independent pieces. Implementations are
/// reusable objects (cached by the caller) so that starting parallel work allocates nothing.
/// </summary>
public interface IParallelWork
{
    /// <summary>Runs piece <paramref name="index"/> of the work; pieces must write disjoint outputs.</summary>
    void Execute(int index);
}

/// <summary>
/// Persistent worker threads that run <see cref="IParallelWork"/> pieces without allocating.
/// </summary>
/// <remarks>
/// <see cref="System.Threading.Tasks.Parallel.For(int, int, Action{int})"/> allocates closures and
/// task objects on every call, which shows up in a training step that runs dozens of kernels.
/// Here the threads live for the whole process and wait on a semaphore; the caller thread takes
/// part in the work. Results never depend on which thread ran a piece, so a fixed thread count
/// gives the same numbers on every run. A kernel that runs inside a piece runs serially.
/// </remarks>
public static class WorkerPool
{
    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim WorkReady = new(0);
    private static readonly ManualResetEventSlim AllDone = new(false);
    private static Thread[] _threads = [];
    private static IParallelWork? _work;
    private static int _count;
    private static int _next;
    private static int _remaining;
    private static Exception? _error;
    private static int _threadLimit = Environment.ProcessorCount;

    [ThreadStatic] private static bool _insideWork;

    /// <summary>
    /// The number of threads kernels may use (the caller plus workers). Defaults to the number of
    /// processors; set it once at start-up like <c>torch.set_num_threads</c>.
    /// </summary>
    public static int MaxThreads
    {
        get => _threadLimit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _threadLimit = value;
        }
    }

    /// <summary>True on a thread that is already running a piece of parallel work.</summary>
    public static bool InsideWork => _insideWork;

    /// <summary>
    /// Runs pieces <c>0 .. count-1</c> of <paramref name="work"/> on up to <see cref="MaxThreads"/>
    /// threads and returns when all are done. Runs serially when one thread is allowed, when
    /// there is one piece, or when called from inside another piece.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(IParallelWork work, int count)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (count <= 0) return;
        int threads = Math.Min(_threadLimit, count);
        if (threads <= 1 || _insideWork)
        {
            for (int i = 0; i < count; i++) work.Execute(i);
            return;
        }

        lock (StartLock)
        {
            EnsureThreads(threads - 1);
            _work = work;
            _count = count;
            _next = 0;
            // Every piece and every released worker counts down once, so no worker is still
            // looking at these fields when the next call overwrites them.
            _remaining = count + threads - 1;
            _error = null;
            AllDone.Reset();
            WorkReady.Release(threads - 1);
            Drain();
            AllDone.Wait();
            _work = null;
            if (_error is { } error)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    private static void EnsureThreads(int needed)
    {
        if (_threads.Length >= needed) return;
        var grown = new Thread[needed];
        Array.Copy(_threads, grown, _threads.Length);
        for (int i = _threads.Length; i < needed; i++)
        {
            grown[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"nabla-worker-{i}" };
            grown[i].Start();
        }
        _threads = grown;
    }

    private static void WorkerLoop()
    {
        while (true)
        {
            WorkReady.Wait();
            Drain();
            CountDown();
        }
    }

    private static void CountDown()
    {
        if (Interlocked.Decrement(ref _remaining) == 0) AllDone.Set();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Drain()
    {
        var work = _work!;
        int count = _count;
        _insideWork = true;
        try
        {
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < count)
            {
                try
                {
                    work.Execute(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
                CountDown();
            }
        }
        finally
        {
            _insideWork = false;
        }
    }
}
