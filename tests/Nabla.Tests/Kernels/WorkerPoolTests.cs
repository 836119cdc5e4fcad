using System.Runtime.ExceptionServices;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The pool under stress: thread counts above the core count (this machine has 2), changed between
/// jobs, sleeping and spinning workers, two callers at once, throwing pieces. Every test runs its
/// body on a separate thread with a generous limit, so a deadlock fails the test instead of
/// hanging the run.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class WorkerPoolTests
{
    private static readonly TimeSpan DeadlockLimit = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(200, 1)]
    [InlineData(0, 2)]
    [InlineData(5, 3)]
    public void Thousands_of_jobs_with_1_to_16_threads_run_every_piece_exactly_once(int spinMicroseconds, int seed)
    {
        WithSettings(spinMicroseconds, () => WithinLimit(() =>
        {
            var rng = new Random(seed);
            var work = new CountingWork();
            for (int job = 0; job < 3000; job++)
            {
                // Keep a thread count for a few jobs at a time, so both steady runs and changes
                // (growing and shrinking the set of helpers) are exercised.
                if (job % 3 == 0) WorkerPool.MaxThreads = rng.Next(1, 17);
                work.Prepare(rng.Next(1, CountingWork.Capacity + 1), rng);
                WorkerPool.Run(work, work.Count);
                work.AssertEachPieceRanOnce($"job {job} with {WorkerPool.MaxThreads} threads");
            }
        }));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(16)]
    public void Every_thread_MaxThreads_allows_takes_part_even_beyond_the_processor_count(int threads)
    {
        WithSettings(200, () => WithinLimit(() =>
        {
            WorkerPool.MaxThreads = threads;
            for (int repeat = 0; repeat < 20; repeat++)
            {
                // Each piece waits until all are running at once, so the job can only finish if
                // `threads` different threads each took exactly one piece.
                var work = new RendezvousWork(threads);
                WorkerPool.Run(work, threads);
                Assert.Equal(threads, work.Threads.Count);
            }
        }));
    }

    [Fact]
    public void Two_callers_at_once_each_get_every_piece_of_their_own_jobs()
    {
        WithSettings(20, () => WithinLimit(() =>
        {
            WorkerPool.MaxThreads = 6;
            var failures = new Exception?[2];
            var callers = new Thread[2];
            for (int c = 0; c < 2; c++)
            {
                int caller = c;
                callers[c] = new Thread(() =>
                {
                    try
                    {
                        var rng = new Random(10 + caller);
                        var work = new CountingWork { Nested = caller == 1 };
                        for (int job = 0; job < 500; job++)
                        {
                            work.Prepare(rng.Next(1, CountingWork.Capacity + 1), rng);
                            WorkerPool.Run(work, work.Count);
                            work.AssertEachPieceRanOnce($"caller {caller}, job {job}");
                        }
                    }
                    catch (Exception e)
                    {
                        failures[caller] = e;
                    }
                });
                callers[c].Start();
            }
            foreach (var t in callers) t.Join();
            foreach (var e in failures)
                if (e is not null) ExceptionDispatchInfo.Throw(e);
        }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void A_piece_exception_reaches_the_caller_and_the_pool_keeps_working(int threads)
    {
        WithSettings(200, () => WithinLimit(() =>
        {
            WorkerPool.MaxThreads = threads;
            var rng = new Random(4);
            var work = new CountingWork();
            for (int round = 0; round < 50; round++)
            {
                work.Prepare(CountingWork.Capacity, rng);
                work.Throwing = round % CountingWork.Capacity;
                var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(work, work.Count));
                Assert.Equal($"piece {work.Throwing} failed", e.Message);
                Assert.False(WorkerPool.InsideWork);
                // On more than one thread the other pieces still run (serially, the loop stops at the throw).
                if (threads > 1) work.AssertEachPieceRanOnce($"failing job {round}");

                work.Throwing = -1;
                work.Prepare(CountingWork.Capacity, rng);
                WorkerPool.Run(work, work.Count);
                work.AssertEachPieceRanOnce($"the job after failure {round}");
            }
        }));
    }

    [Fact]
    public void Run_inside_a_piece_runs_serially_on_that_thread()
    {
        WithSettings(200, () => WithinLimit(() =>
        {
            WorkerPool.MaxThreads = 4;
            var outer = new NestingWork();
            WorkerPool.Run(outer, 8);
            Assert.All(outer.InnerRanOnOwnThread, Assert.True);
            Assert.False(WorkerPool.InsideWork);
        }));
    }

    [Fact]
    public void Thread_counts_below_one_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.MaxThreads = 0);
    }

    // Restores the process-wide settings a test changes, whatever happens inside.
    private static void WithSettings(int spinMicroseconds, Action body)
    {
        int savedThreads = WorkerPool.MaxThreads, savedSpin = WorkerPool.SpinMicroseconds;
        WorkerPool.SpinMicroseconds = spinMicroseconds;
        try
        {
            body();
        }
        finally
        {
            WorkerPool.MaxThreads = savedThreads;
            WorkerPool.SpinMicroseconds = savedSpin;
        }
    }

    private static void WithinLimit(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "worker-pool-test" };
        thread.Start();
        Assert.True(thread.Join(DeadlockLimit), $"the jobs did not finish within {DeadlockLimit.TotalMinutes} minutes: the pool deadlocked");
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Counts the runs of each piece; pieces take random tiny times (a spin or a yield).</summary>
    private sealed class CountingWork : IParallelWork
    {
        public const int Capacity = 48;
        private readonly int[] _hits = new int[Capacity];
        private readonly int[] _spins = new int[Capacity];
        private int _running;
        private int _caller;
        private int _firstPieceThread;

        public int Count { get; private set; }
        public int Throwing { get; set; } = -1;
        public bool Nested { get; init; }

        public void Prepare(int count, Random rng)
        {
            Count = count;
            _caller = Environment.CurrentManagedThreadId;
            _firstPieceThread = 0;
            Array.Clear(_hits);
            // Mostly short spins, some yields (a piece that gives up its core), some longer spins.
            for (int i = 0; i < Capacity; i++)
                _spins[i] = rng.Next(10) switch { 0 => -1, 1 => rng.Next(2000, 20000), _ => rng.Next(0, 300) };
        }

        public void Execute(int index)
        {
            Interlocked.Increment(ref _running);
            Interlocked.Increment(ref _hits[index]);
            if (index == 0) _firstPieceThread = Environment.CurrentManagedThreadId;
            if (_spins[index] < 0) Thread.Yield();
            else Thread.SpinWait(_spins[index]);
            if (Nested)
            {
                var inner = new CountingWork();
                inner.Prepare(3, new Random(index));
                WorkerPool.Run(inner, 3);
                inner.AssertEachPieceRanOnce("nested job");
            }
            Interlocked.Decrement(ref _running);
            if (index == Throwing) throw new InvalidOperationException($"piece {index} failed");
        }

        public void AssertEachPieceRanOnce(string what)
        {
            Assert.True(Volatile.Read(ref _running) == 0, $"{what}: a piece was still running after Run returned");
            // The caller always takes part: piece 0 is reserved for it (allocation-free steady
            // states rely on the caller having run every kind of piece during warm-up).
            Assert.True(_firstPieceThread == _caller, $"{what}: piece 0 ran on thread {_firstPieceThread}, not on the caller {_caller}");
            for (int i = 0; i < Capacity; i++)
            {
                int expected = i < Count ? 1 : 0;
                int hits = Volatile.Read(ref _hits[i]);
                Assert.True(hits == expected, $"{what}: piece {i} of {Count} ran {hits} times");
            }
        }
    }

    /// <summary>Each piece waits for all pieces to be running at once and records its thread.</summary>
    private sealed class RendezvousWork(int pieces) : IParallelWork
    {
        private int _arrived;

        public HashSet<int> Threads { get; } = [];

        public void Execute(int index)
        {
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref _arrived);
            var spin = new SpinWait();
            while (Volatile.Read(ref _arrived) < pieces) spin.SpinOnce();
        }
    }

    /// <summary>Each piece starts a nested job and checks that it ran on the piece's own thread.</summary>
    private sealed class NestingWork : IParallelWork
    {
        public bool[] InnerRanOnOwnThread { get; } = new bool[8];

        public void Execute(int index)
        {
            var inner = new ThreadRecordingWork();
            WorkerPool.Run(inner, 4);
            InnerRanOnOwnThread[index] = WorkerPool.InsideWork
                && inner.ThreadIds.All(id => id == Environment.CurrentManagedThreadId);
        }
    }

    private sealed class ThreadRecordingWork : IParallelWork
    {
        public int[] ThreadIds { get; } = new int[4];

        public void Execute(int index) => ThreadIds[index] = Environment.CurrentManagedThreadId;
    }
}
