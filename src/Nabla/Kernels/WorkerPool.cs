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
/// Here the threads live for the whole process and the caller thread takes part in the work.
/// Between jobs a worker spins for <see cref="SpinMicroseconds"/> before it sleeps on a
/// semaphore, as OpenMP runtimes do: a training step alternates parallel products with short
/// serial stretches (loss, optimizer, batch gather), and waking a sleeping thread through the
/// kernel cost tens of microseconds per product on this machine. Results never depend on which
/// thread ran a piece, so a fixed thread count gives the same numbers on every run. A kernel
/// that runs inside a piece runs serially.
/// </remarks>
public static class WorkerPool
{
    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static Thread[] _threads = [];
    private static IParallelWork? _work;
    private static int _count;
    private static int _next;
    private static int _remaining;
    private static int _generation;
    private static int _participants;
    private static int _sleeping;
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

    /// <summary>
    /// How long an idle worker keeps polling for the next job before it sleeps (default 200 µs;
    /// 0 sleeps at once). Spinning costs a core that would otherwise idle; set it to 0 when the
    /// process shares its cores with other busy work.
    /// </summary>
    public static int SpinMicroseconds { get; set; } = 200;

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
            _participants = threads - 1;
            // Every piece and every participating worker counts down once, so no worker is still
            // looking at these fields when the next call overwrites them.
            _remaining = count + threads - 1;
            _error = null;
            // Publishes the fields above (Interlocked is a full fence) to spinning workers.
            Interlocked.Increment(ref _generation);
            int sleeping = Volatile.Read(ref _sleeping);
            if (sleeping > 0) Wake.Release(sleeping);
            Drain();
            var spin = new SpinWait();
            while (Volatile.Read(ref _remaining) != 0) spin.SpinOnce(sleep1Threshold: -1);
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
            int index = i, current = _generation;
            grown[i] = new Thread(() => WorkerLoop(index, current)) { IsBackground = true, Name = $"nabla-worker-{i}" };
            grown[i].Start();
        }
        _threads = grown;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WorkerLoop(int index, int seen)
    {
        // `seen` is the generation when Run created this thread, under its lock and before it
        // published the job the thread was created for, so that job is the first one it sees.
        while (true)
        {
            int generation = WaitForJob(seen);
            seen = generation;
            if (index >= Volatile.Read(ref _participants)) continue;
            Drain();
            CountDown();
        }
    }

    // Returns the generation of a job newer than `seen`: spins first, then sleeps on Wake. A wake-up
    // may be spurious (a permit left over from a job this worker already picked up by spinning), so
    // the loop always re-checks the generation.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int WaitForJob(int seen)
    {
        long spinTicks = SpinMicroseconds * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + spinTicks;
        while (true)
        {
            int generation = Volatile.Read(ref _generation);
            if (generation != seen) return generation;
            if (System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(20);
                continue;
            }

            Interlocked.Increment(ref _sleeping);
            // Re-check after announcing the sleep: Run bumps the generation before it reads
            // _sleeping, so one of the two sides always sees the other.
            if (Volatile.Read(ref _generation) == seen) Wake.Wait();
            Interlocked.Decrement(ref _sleeping);
            deadline = System.Diagnostics.Stopwatch.GetTimestamp() + spinTicks;
        }
    }

    private static void CountDown() => Interlocked.Decrement(ref _remaining);

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
