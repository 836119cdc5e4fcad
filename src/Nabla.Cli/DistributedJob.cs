using System.Globalization;
using System.Runtime.InteropServices;
using Nabla.Data;
using Nabla.Distributed;
using Nabla.Nn;
using Nabla.Optim;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla train … --distributed</c> as one process of an <c>mpirun -np N</c> job: every process
/// runs the same command, checks that the others were given the same settings, trains its shard of
/// every batch through <see cref="DistributedDataParallel"/> (rank 0's initial weights), and only
/// rank 0 prints and writes files. A failure ends the whole job, each process with at most one line:
/// <list type="bullet">
/// <item>before training (options, data, model, settings that differ between processes) the processes
/// first learn who failed, in the collective call that compares the settings: when all failed alike,
/// rank 0 alone reports; otherwise each failed process reports with its rank and rank 0 says the job
/// stopped; all then end normally;</item>
/// <item>during training, the failing process reports (<c>nabla: rank 1 of 2: …</c>) and aborts the job;
/// the processes mpirun then stops say so in one line each;</item>
/// <item>a collective call that gets no answer within the time limit (<c>NABLA_DISTRIBUTED_TIMEOUT</c>
/// seconds, default 300) ends the job instead of hanging.</item>
/// </list>
/// </summary>
internal sealed class DistributedJob
{
    /// <summary>The environment variable that sets the time limit of collective calls, in seconds.</summary>
    public const string TimeoutVariable = "NABLA_DISTRIBUTED_TIMEOUT";

    private readonly ProcessGroup _group;
    private readonly CliContext _console;
    private DistributedDataParallel? _parallel;
    private volatile bool _reported;
    private bool _started;

    private DistributedJob(ProcessGroup group, CliContext console)
    {
        _group = group;
        _console = console;
        // Only rank 0 prints results; every rank may print its own error line.
        Context = group.Rank == 0 ? console : new CliContext(TextWriter.Null, console.Err, null);
    }

    /// <summary>Where this process writes: the console on rank 0, nowhere (but errors) on the others.</summary>
    public CliContext Context { get; }

    /// <summary>True on rank 0, the process that prints, evaluates the test data and writes files.</summary>
    public bool IsLeader => _group.Rank == 0;

    /// <summary>The number of processes.</summary>
    public int WorldSize => _group.WorldSize;

    /// <summary>This process's part of every batch.</summary>
    public DataShard Shard => new(_group.Rank, _group.WorldSize);

    /// <summary>Kernel threads when <c>--threads</c> is not given: this machine's processors shared among the job's processes on it.</summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount / Math.Max(1, MpiLaunch.LocalSize));

    /// <summary>Runs <paramref name="train"/> as this process's part of the job and returns the exit code.</summary>
    /// <exception cref="UsageException">The process was not started by mpirun, or the time limit is malformed.</exception>
    /// <exception cref="DistributedException">Open MPI is missing or does not start.</exception>
    public static int Run(CliContext console, Func<CliContext, DistributedJob, int> train)
    {
        if (!MpiLaunch.IsActive)
            throw new UsageException("--distributed runs as one of the processes mpirun starts: mpirun -np N nabla train … --distributed");
        var group = ProcessGroup.InitMpi(Timeout());
        var job = new DistributedJob(group, console);
        using var terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => job.Stopped());
        try
        {
            int code = train(job.Context, job);
            // Rank 0 evaluates and saves while the others wait here (polling gently) instead of in MPI_Finalize.
            group.Barrier();
            job._parallel?.Dispose();
            group.Dispose();
            return code;
        }
        catch (DistributedException e) when (e.RaisedOnEveryProcess)
        {
            if (job.IsLeader) job.Report(e, withRank: false);
            else job._reported = true;
            group.Dispose();
            return NablaCommand.UsageError;
        }
        catch (Exception e) when (!job._started && job.TryEndTogether(e) is int code)
        {
            group.Dispose();
            return code;
        }
        catch (Exception e)
        {
            group.Abort(job.Report(e, withRank: true));
            throw; // not reached: Abort ends the process
        }
    }

    /// <summary>
    /// The collective call that starts training, made by the processes that got there and by those that
    /// failed before: the number of failed processes.
    /// </summary>
    private long Start(bool failed)
    {
        Span<long> status = [failed ? 1 : 0];
        _group.AllReduce(status, ReduceOp.Sum);
        _started = true;
        return status[0];
    }

    /// <summary>
    /// This process failed before training: tells the others and reports — alone when it is rank 0 and
    /// every process failed (the same mistake everywhere), with its rank otherwise. Null when even that
    /// collective call failed (the job is then aborted).
    /// </summary>
    private int? TryEndTogether(Exception e)
    {
        long failed;
        try
        {
            failed = Start(failed: true);
        }
        catch (DistributedException)
        {
            return null;
        }
        bool everyone = failed == WorldSize;
        if (everyone && !IsLeader)
        {
            _reported = true;
            return NablaCommand.IsUserError(e) ? NablaCommand.UsageError : NablaCommand.InternalError;
        }
        return Report(e, withRank: !everyone);
    }

    /// <summary>
    /// Checks that every process was given the same settings (compared as hashes in one collective
    /// call); the error, raised on every process, names those that differ.
    /// </summary>
    /// <exception cref="DistributedException">Another process failed before training, or the settings differ (raised on every process).</exception>
    public void RequireSameSettings(IReadOnlyDictionary<string, string> settings)
    {
        // Rank 0 reports this for the processes that did not fail (the failed ones report their own errors).
        long failed = Start(failed: false);
        if (failed > 0)
            throw new DistributedException($"the job stopped before training: {failed} of the {WorldSize} processes failed (see {(failed == 1 ? "its message" : "their messages")})", true);
        // --threads may differ between machines; --out, --plot and --json concern rank 0 only and are not in the settings.
        var compared = settings.Where(kv => kv.Key != "threads").OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        _group.RequireSame(compared, "every process must run the same nabla train command and read the same data and model files");
    }

    /// <summary>Wraps the model for data-parallel training: rank 0's weights and optimizer state go to every process.</summary>
    public Module Wrap(Module model, Optimizer optimizer) => _parallel = new DistributedDataParallel(model, optimizer, _group);

    /// <summary>Reports <paramref name="e"/> as the CLI does, with this process's rank when <paramref name="withRank"/>; returns the exit code.</summary>
    private int Report(Exception e, bool withRank)
    {
        _reported = true;
        var text = new StringWriter(CultureInfo.InvariantCulture);
        int code = NablaCommand.Report(e, text);
        string report = text.ToString();
        if (withRank && report.StartsWith("nabla: ", StringComparison.Ordinal))
            report = $"nabla: rank {_group.Rank} of {_group.WorldSize}: " + report["nabla: ".Length..];
        _console.Err.Write(report);
        _console.Err.Flush();
        return code;
    }

    // mpirun sends SIGTERM to the other processes when one ends with an error or is killed (and SIGKILL a second later).
    private void Stopped()
    {
        if (_reported) return;
        _reported = true;
        _console.Err.WriteLine($"nabla: rank {_group.Rank} of {_group.WorldSize}: stopped by mpirun: another process of the job ended (see its message) or the job was interrupted");
        _console.Err.Flush();
    }

    private static TimeSpan Timeout()
    {
        string? text = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (text is null) return ProcessGroup.DefaultTimeout;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !(seconds > 0) || seconds > 1e6)
            throw new UsageException($"{TimeoutVariable} must be a number of seconds > 0, got '{text}'");
        return TimeSpan.FromSeconds(seconds);
    }
}
