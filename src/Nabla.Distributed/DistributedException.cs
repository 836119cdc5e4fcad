namespace Nabla.Distributed;

/// <summary>
/// A data-parallel run cannot go on: Open MPI is missing, an MPI call failed, a collective call got
/// no answer within the time limit (a process stopped or hung), or the processes disagree on their
/// settings. The message is one line naming the problem; after it the job must end
/// (<see cref="ProcessGroup.Abort"/>), since the other processes may be waiting for this one.
/// </summary>
public class DistributedException : NablaException
{
    /// <summary>Creates an error with no message.</summary>
    public DistributedException() { }

    /// <summary>Creates an error with a message naming the problem.</summary>
    public DistributedException(string message) : base(message) { }

    /// <summary>Creates an error that wraps the exception that revealed it.</summary>
    public DistributedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an error that every process of the job raises at the same point (from the result of a collective call).</summary>
    public DistributedException(string message, bool raisedOnEveryProcess) : base(message) => RaisedOnEveryProcess = raisedOnEveryProcess;

    /// <summary>
    /// True when every process raises this same error at the same point (it follows from a collective
    /// result, e.g. a settings mismatch): one process may report it for all, and the processes can end
    /// normally. False when it is this process's alone; the job must then be aborted.
    /// </summary>
    public bool RaisedOnEveryProcess { get; }
}
