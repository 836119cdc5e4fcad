using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

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
/// Between jobs a worker spins for <see cref="SpinMicroseconds"/> before it sleeps, as OpenMP
/// runtimes do: a training step alternates parallel products with short serial stretches (loss,
/// optimizer, batch gather), and waking a sleeping thread through the kernel costs tens of
/// microseconds per product on this machine. Results never depend on which thread ran a piece,
/// so a fixed thread count gives the same numbers on every run. A kernel that runs inside a piece
/// runs serially.
/// <para>
/// How a job runs, and why it cannot hang: <see cref="Run"/> opens the job under a new generation
/// number, posts that number to each helper it wants (each worker has its own mailbox and its own
/// wake-up, so no worker can consume a signal meant for another), runs piece 0 itself and then
/// takes further pieces like any helper. A
/// posted worker joins only if the job it was posted is still open, checked and counted in one
/// compare-and-swap on a word that holds both the generation and the number of workers inside.
/// When no pieces are left the caller closes the job with the same compare-and-swap once nobody is
/// inside. So the caller waits only for pieces that are running, never for a worker that has not
/// woken up yet, and a worker that wakes late finds the job closed and goes back to waiting.
/// </para>
/// </remarks>
public static class WorkerPool
{
    // Serialises jobs: one job is open at a time, whichever thread starts it.
    private static readonly object RunLock = new();
    private static Worker[] _workers = [];
    private static int _threadLimit = Environment.ProcessorCount;

    // The open job. Written by Run before it opens the job; read by workers only while they are
    // counted inside it, so never after Run has closed it.
    private static IParallelWork? _work;
    private static long _count;
    private static long _next;
    private static Exception? _error;

    // Generation of the current job (high 32 bits) and how many workers are inside it (low 32
    // bits). An open job has an odd generation; closing it makes the generation even.
    private static long _state;

    [ThreadStatic] private static bool _insideWork;

    /// <summary>
    /// The number of threads kernels may use (the caller plus workers). Defaults to the number of
    /// processors; set it once at start-up like <c>torch.set_num_threads</c>. Any value ≥ 1 is
    /// honoured: more threads than processors work, only slower (idle workers then sleep at once
    /// instead of spinning, so they do not take cores from the threads that have work).
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
    /// process shares its cores with other busy work. Ignored (no spinning) while
    /// <see cref="MaxThreads"/> exceeds the processor count.
    /// </summary>
    public static int SpinMicroseconds { get; set; } = 200;

    /// <summary>True on a thread that is already running a piece of parallel work.</summary>
    public static bool InsideWork => _insideWork;

    /// <summary>
    /// Runs pieces <c>0 .. count-1</c> of <paramref name="work"/> on up to <see cref="MaxThreads"/>
    /// threads and returns when all are done. Runs serially when one thread is allowed, when
    /// there is one piece, or when called from inside another piece. Calls from several threads
    /// at once run one after the other.
    /// </summary>
    /// <remarks>
    /// If pieces throw, the other pieces still run and the first exception is rethrown here, on the
    /// calling thread, with its original stack trace; the pool stays usable.
    /// </remarks>
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

        lock (RunLock)
        {
            int helpers = threads - 1;
            EnsureWorkers(helpers);
            _work = work;
            _count = count;
            // Piece 0 is the caller's, so the caller always takes part however fast the helpers
            // are: which thread runs a piece never changes a result, but a caller that skipped a
            // kind of job would meet its thread-local scratch for the first time later, and allocate.
            _next = 1;
            _error = null;
            int generation = unchecked((int)(_state >> 32) + 1);
            // A full fence: a worker that joins (a compare-and-swap on _state) sees the fields above.
            Interlocked.Exchange(ref _state, (long)generation << 32);
            try
            {
                var workers = _workers;
                for (int i = 0; i < helpers; i++) workers[i].Post(generation);
                Drain(first: 0);
            }
            finally
            {
                Close(generation);
            }
            var error = _error;
            _work = null;
            _error = null;
            if (error is not null) ExceptionDispatchInfo.Throw(error);
        }
    }

    // Waits until no worker is inside the job (every piece has been claimed, so the ones still
    // inside are finishing theirs) and closes it in the same step, so none can join afterwards.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Close(int generation)
    {
        long open = (long)generation << 32;
        long closed = (long)unchecked(generation + 1) << 32;
        var spin = new SpinWait();
        while (Volatile.Read(ref _state) != open || Interlocked.CompareExchange(ref _state, closed, open) != open)
            spin.SpinOnce(sleep1Threshold: -1);
    }

    // Enters job `generation` if it is still open: true means the caller is counted inside and must
    // leave with Interlocked.Decrement(ref _state) after draining.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryJoin(int generation)
    {
        long state = Volatile.Read(ref _state);
        while ((int)(state >> 32) == generation)
        {
            long seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state) return true;
            state = seen;
        }
        return false;
    }

    private static void EnsureWorkers(int needed)
    {
        if (_workers.Length >= needed) return;
        var grown = new Worker[needed];
        Array.Copy(_workers, grown, _workers.Length);
        for (int i = _workers.Length; i < needed; i++)
        {
            var worker = new Worker();
            grown[i] = worker;
            new Thread(worker.Loop) { IsBackground = true, Name = $"nabla-worker-{i}" }.Start();
        }
        _workers = grown;
    }

    // Runs `first` (unless negative), then claims pieces until none are left.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Drain(long first)
    {
        var work = _work!;
        long count = _count;
        _insideWork = true;
        try
        {
            long i = first >= 0 ? first : Interlocked.Increment(ref _next) - 1;
            while (i < count)
            {
                try
                {
                    work.Execute((int)i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
                i = Interlocked.Increment(ref _next) - 1;
            }
        }
        finally
        {
            _insideWork = false;
        }
    }

    /// <summary>One persistent thread with its own mailbox (the last generation posted to it) and wake-up.</summary>
    private sealed class Worker
    {
        private int _posted;

        // 1 while the worker may block without reading _posted again. Post takes it (sets it to 0)
        // and only the Post that took it pulses, so a Post never waits on the monitor of a worker
        // that an earlier Post has already woken but that has not run yet.
        private int _needsWake;

        // Called by Run under RunLock. With the sleep in WaitForPost this is Dekker's handshake:
        // each side writes its own word with a full fence, then reads the other's, so either the
        // worker sees the new generation or this Post takes the token and wakes it.
        public void Post(int generation)
        {
            Interlocked.Exchange(ref _posted, generation);
            if (Interlocked.Exchange(ref _needsWake, 0) != 0)
                lock (this) Monitor.Pulse(this);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Loop()
        {
            int seen = 0;
            while (true)
            {
                seen = WaitForPost(seen);
                if (!TryJoin(seen)) continue;
                Drain(first: -1);
                Interlocked.Decrement(ref _state);
            }
        }

        // Returns a posted generation other than `seen`: polls first, then sleeps on this worker's
        // own monitor, which only a Post to this worker pulses. The token is set again before every
        // check that may lead to Monitor.Wait; the worker holds the monitor from that check until
        // Wait releases it, so a Post that takes the token pulses a worker that is waiting.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int WaitForPost(int seen)
        {
            long spinTicks = _threadLimit > Environment.ProcessorCount ? 0 : SpinMicroseconds * Stopwatch.Frequency / 1_000_000;
            long deadline = Stopwatch.GetTimestamp() + spinTicks;
            int posted;
            while ((posted = Volatile.Read(ref _posted)) == seen && Stopwatch.GetTimestamp() < deadline)
                Thread.SpinWait(20);
            if (posted != seen) return posted;

            lock (this)
            {
                while (true)
                {
                    Interlocked.Exchange(ref _needsWake, 1);
                    if ((posted = Volatile.Read(ref _posted)) != seen) break;
                    Monitor.Wait(this);
                }
                Volatile.Write(ref _needsWake, 0);
            }
            return posted;
        }
    }
}
