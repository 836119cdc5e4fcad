using System.Globalization;

namespace Nabla.Distributed;

/// <summary>
/// What <c>mpirun</c> tells a process it started, read from the environment Open MPI sets
/// (<c>OMPI_COMM_WORLD_SIZE</c>, <c>OMPI_COMM_WORLD_RANK</c>, <c>OMPI_COMM_WORLD_LOCAL_SIZE</c>) — known
/// before MPI is initialized, e.g. to choose thread counts or to word a message.
/// </summary>
public static class MpiLaunch
{
    /// <summary>True when this process was started by Open MPI's <c>mpirun</c>.</summary>
    public static bool IsActive => Read("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>This process's rank in the job (0 when not started by mpirun).</summary>
    public static int Rank => Read("OMPI_COMM_WORLD_RANK") ?? 0;

    /// <summary>The number of processes of the job (1 when not started by mpirun).</summary>
    public static int Size => Read("OMPI_COMM_WORLD_SIZE") ?? 1;

    /// <summary>The number of the job's processes on this machine (1 when not started by mpirun).</summary>
    public static int LocalSize => Read("OMPI_COMM_WORLD_LOCAL_SIZE") ?? 1;

    private static int? Read(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;
}
