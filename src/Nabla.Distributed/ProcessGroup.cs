using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Nabla.Distributed;

/// <summary>
/// The processes of an MPI job (MPI_COMM_WORLD), as <c>torch.distributed</c>'s process group with the
/// MPI backend: rank, world size and the collective calls data-parallel training needs — all-reduce,
/// broadcast, barrier — each with a time limit. Every collective is started non-blocking and polled
/// (<c>MPI_Test</c>) until it completes or <see cref="Timeout"/> passes; then it throws
/// <see cref="DistributedException"/> instead of waiting forever for a process that stopped, and the
/// job must be ended with <see cref="Abort"/>. Every process must make the same collective calls in the
/// same order, from the thread that created the group (MPI_THREAD_FUNNELED).
/// </summary>
/// <example><code>
/// using var group = ProcessGroup.InitMpi();           // in each process started by mpirun -np N
/// Span&lt;float&gt; g = [1f, 2f];
/// group.AllReduce(g, ReduceOp.Sum);                   // every process now holds the sums
/// </code></example>
public sealed unsafe class ProcessGroup : IDisposable
{
    /// <summary>The default time limit of one collective call: 5 minutes (PyTorch's default is 30).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private readonly MpiLibrary _mpi;
    private readonly int _thread;
    private readonly bool _ownsMpi;
    private readonly long _patienceTicks;
    private bool _failed, _disposed;

    private ProcessGroup(MpiLibrary mpi, bool ownsMpi, int rank, int size, TimeSpan timeout)
    {
        _mpi = mpi;
        _ownsMpi = ownsMpi;
        _thread = Environment.CurrentManagedThreadId;
        Rank = rank;
        WorldSize = size;
        Timeout = timeout;
        // Rank 0 gives up first, so when one process hangs it is normally rank 0 that reports it.
        var patience = rank == 0 ? timeout : timeout * 1.25;
        _patienceTicks = (long)(patience.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>This process's rank, 0 … <see cref="WorldSize"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int WorldSize { get; }

    /// <summary>How long a collective call waits for the other processes (ranks other than 0 wait a quarter longer).</summary>
    public TimeSpan Timeout { get; }

    /// <summary>
    /// Initializes MPI (<c>MPI_Init_thread</c>, funneled) unless it already is, and returns the group of
    /// all processes of the job. Started without mpirun, the process is a job of one.
    /// </summary>
    /// <param name="timeout">Time limit of each collective call (default <see cref="DefaultTimeout"/>).</param>
    /// <exception cref="DistributedException">Open MPI is not installed or MPI cannot start.</exception>
    public static ProcessGroup InitMpi(TimeSpan? timeout = null) => InitMpi(MpiLibrary.Load(), timeout ?? DefaultTimeout);

    internal static ProcessGroup InitMpi(MpiLibrary mpi, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), $"the timeout must be positive, got {timeout}");
        int initialized, provided, rank, size;
        Check(Mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0) Check(Mpi.InitThread(null, null, Mpi.ThreadFunneled, &provided), "MPI_Init_thread");
        // Errors come back as codes (turned into one-line exceptions) instead of MPI printing and ending the job.
        Check(Mpi.CommSetErrhandler(mpi.World, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(Mpi.CommRank(mpi.World, &rank), "MPI_Comm_rank");
        Check(Mpi.CommSize(mpi.World, &size), "MPI_Comm_size");
        return new ProcessGroup(mpi, initialized == 0, rank, size, timeout);
    }

    /// <summary>Replaces each element of <paramref name="values"/> by its combination over all processes.</summary>
    /// <exception cref="DistributedException">The call failed or timed out.</exception>
    public void AllReduce(Span<float> values, ReduceOp op = ReduceOp.Sum)
    {
        fixed (float* p = values) AllReduce(p, values.Length, _mpi.Float, op, "an all-reduce");
    }

    /// <inheritdoc cref="AllReduce(Span{float}, ReduceOp)"/>
    public void AllReduce(Span<double> values, ReduceOp op = ReduceOp.Sum)
    {
        fixed (double* p = values) AllReduce(p, values.Length, _mpi.Double, op, "an all-reduce");
    }

    /// <inheritdoc cref="AllReduce(Span{float}, ReduceOp)"/>
    public void AllReduce(Span<long> values, ReduceOp op = ReduceOp.Sum)
    {
        fixed (long* p = values) AllReduce(p, values.Length, _mpi.LongLong, op, "an all-reduce");
    }

    /// <summary>Copies <paramref name="values"/> of process <paramref name="root"/> into every process's <paramref name="values"/>.</summary>
    /// <exception cref="DistributedException">The call failed or timed out.</exception>
    public void Broadcast(Span<float> values, int root = 0)
    {
        if ((uint)root >= (uint)WorldSize) throw new ArgumentOutOfRangeException(nameof(root), $"root {root} is outside 0..{WorldSize - 1}");
        CheckUsable();
        nint request;
        fixed (float* p = values)
        {
            Call(Mpi.Ibcast(p, values.Length, _mpi.Float, root, _mpi.World, &request), "MPI_Ibcast");
            Wait(ref request, "a broadcast");
        }
    }

    /// <summary>Returns when every process has called it.</summary>
    /// <exception cref="DistributedException">The call failed or timed out.</exception>
    public void Barrier()
    {
        CheckUsable();
        nint request;
        Call(Mpi.Ibarrier(_mpi.World, &request), "MPI_Ibarrier");
        Wait(ref request, "a barrier");
    }

    /// <summary>
    /// Checks that every process holds the same <paramref name="values"/> (compared by 64-bit hashes in
    /// one all-reduce); the error names the entries that differ and is raised on every process.
    /// </summary>
    /// <param name="values">Named settings, in the same order on every process.</param>
    /// <param name="advice">Appended to the error, e.g. what every process must do alike.</param>
    /// <exception cref="DistributedException">Some values differ between processes (<see cref="DistributedException.RaisedOnEveryProcess"/>).</exception>
    public void RequireSame(IReadOnlyList<KeyValuePair<string, string>> values, string advice)
    {
        ArgumentNullException.ThrowIfNull(values);
        // MIN over (h, −h) gives the smallest and (negated) largest hash at once; the first pair is the count,
        // so processes built from different code fail here instead of reducing vectors of different lengths.
        Span<long> count = [values.Count, -values.Count];
        AllReduce(count, ReduceOp.Min);
        if (count[0] != -count[1])
            throw new DistributedException($"the processes of the job compare different numbers of settings ({count[0]} to {-count[1]}): every process must run the same version of the program", true);
        var hashes = new long[2 * values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            hashes[2 * i] = Hash(values[i].Key + "=" + values[i].Value);
            hashes[2 * i + 1] = -hashes[2 * i];
        }
        AllReduce(hashes, ReduceOp.Min);
        var differ = new List<string>();
        for (int i = 0; i < values.Count; i++)
            if (hashes[2 * i] != -hashes[2 * i + 1]) differ.Add(values[i].Key);
        if (differ.Count > 0)
            throw new DistributedException($"the processes of the job disagree on {string.Join(", ", differ)}: {advice}", true);
    }

    /// <summary>
    /// Ends every process of the job (<c>MPI_Abort</c>), this one with <paramref name="exitCode"/>: the
    /// way out after a failed or timed-out collective, which the other processes may still be waiting in.
    /// </summary>
    public void Abort(int exitCode)
    {
        _failed = true;
        Mpi.Abort(_mpi.World, exitCode);
        Environment.Exit(exitCode); // MPI_Abort does not return in Open MPI; this is for one that would.
    }

    /// <summary>Finalizes MPI if this group initialized it and nothing failed (after a failure, end the job with <see cref="Abort"/>).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsMpi && !_failed) Mpi.Finalize();
    }

    /// <summary>Starts an in-place sum of <paramref name="count"/> floats at <paramref name="buffer"/>, which must stay fixed until the request completes.</summary>
    internal nint StartAllReduceSum(float* buffer, int count)
    {
        CheckUsable();
        nint request;
        Call(Mpi.Iallreduce(Mpi.InPlace, buffer, count, _mpi.Float, _mpi.Sum, _mpi.World, &request), "MPI_Iallreduce");
        return request;
    }

    /// <summary>Drives MPI's progress and reports whether <paramref name="request"/> completed (it is then freed).</summary>
    internal bool Test(ref nint request)
    {
        int done;
        fixed (nint* r = &request) Call(Mpi.Test(r, &done, null), "MPI_Test");
        return done != 0;
    }

    /// <summary>Polls <paramref name="request"/> until it completes, or throws once the time limit has passed.</summary>
    /// <param name="request">The request (freed when complete).</param>
    /// <param name="what">The call, for the error message ("an all-reduce of the gradients").</param>
    /// <exception cref="DistributedException">The other processes did not answer in time, or MPI reported an error.</exception>
    internal void Wait(ref nint request, string what)
    {
        if (Test(ref request)) return;
        long start = Stopwatch.GetTimestamp(), soon = Stopwatch.Frequency / 100;
        for (int polls = 0; ; polls++)
        {
            if (Test(ref request)) return;
            long waited = Stopwatch.GetTimestamp() - start;
            if (waited > _patienceTicks)
            {
                _failed = true;
                double seconds = (double)_patienceTicks / Stopwatch.Frequency;
                throw new DistributedException($"no answer from the other processes of the job for {seconds.ToString("0.#", CultureInfo.InvariantCulture)} s during {what}: a process stopped or hung");
            }
            // Spin briefly (a partner that is just late), then give the core away: on a machine with more
            // processes than cores the partner may need this one to run.
            if (polls < 64) Thread.SpinWait(32);
            else if (waited < soon) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    private void AllReduce(void* values, int count, nint datatype, ReduceOp op, string what)
    {
        CheckUsable();
        nint request;
        Call(Mpi.Iallreduce(Mpi.InPlace, values, count, datatype, _mpi.Op(op), _mpi.World, &request), "MPI_Iallreduce");
        Wait(ref request, what);
    }

    private void CheckUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed) throw new DistributedException("an earlier collective call of this process failed; end the job (ProcessGroup.Abort)");
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("MPI is called from the thread that created the process group only (MPI_THREAD_FUNNELED)");
    }

    /// <summary>Checks a call made after initialization: a failure leaves this process unable to take part in the job.</summary>
    private void Call(int code, string call)
    {
        if (code == Mpi.Success) return;
        _failed = true;
        Check(code, call);
    }

    private static void Check(int code, string call)
    {
        if (code == Mpi.Success) return;
        var text = stackalloc byte[Mpi.MaxErrorString];
        int length = 0;
        string detail = Mpi.ErrorString(code, text, &length) == Mpi.Success ? Encoding.ASCII.GetString(text, length) : $"error code {code}";
        throw new DistributedException($"{call} failed: {detail}");
    }

    // FNV-1a over UTF-8: the same on every machine (string.GetHashCode is randomized per process).
    private static long Hash(string text)
    {
        ulong h = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(text)) h = (h ^ b) * 1099511628211;
        return (long)(h & long.MaxValue);
    }
}
