using System.Reflection;
using System.Runtime.InteropServices;

namespace Nabla.Distributed;

/// <summary>
/// Loads Open MPI's library and reads its predefined handles — in Open MPI, <c>MPI_COMM_WORLD</c> is
/// <c>&amp;ompi_mpi_comm_world</c>, <c>MPI_FLOAT</c> is <c>&amp;ompi_mpi_float</c>, and so on — so the
/// core library never depends on a native library, and a machine without Open MPI gets one clear line.
/// </summary>
internal sealed class MpiLibrary
{
    private MpiLibrary(nint library)
    {
        World = Export(library, "ompi_mpi_comm_world");
        Float = Export(library, "ompi_mpi_float");
        Double = Export(library, "ompi_mpi_double");
        LongLong = Export(library, "ompi_mpi_long_long_int");
        Sum = Export(library, "ompi_mpi_op_sum");
        Min = Export(library, "ompi_mpi_op_min");
        Max = Export(library, "ompi_mpi_op_max");
        ErrorsReturn = Export(library, "ompi_mpi_errors_return");
    }

    /// <summary>MPI_COMM_WORLD.</summary>
    public nint World { get; }

    /// <summary>MPI_FLOAT.</summary>
    public nint Float { get; }

    /// <summary>MPI_DOUBLE.</summary>
    public nint Double { get; }

    /// <summary>MPI_LONG_LONG.</summary>
    public nint LongLong { get; }

    /// <summary>MPI_SUM.</summary>
    public nint Sum { get; }

    /// <summary>MPI_MIN.</summary>
    public nint Min { get; }

    /// <summary>MPI_MAX.</summary>
    public nint Max { get; }

    /// <summary>MPI_ERRORS_RETURN: failed calls return an error code instead of ending the process.</summary>
    public nint ErrorsReturn { get; }

    /// <summary>The operation handle of <paramref name="op"/>.</summary>
    public nint Op(ReduceOp op) => op switch
    {
        ReduceOp.Min => Min,
        ReduceOp.Max => Max,
        _ => Sum,
    };

    /// <summary>Loads <paramref name="name"/> (Open MPI's <see cref="Mpi.Library"/> unless a test names another).</summary>
    /// <exception cref="DistributedException">The library is missing or is not Open MPI's.</exception>
    public static MpiLibrary Load(string name = Mpi.Library)
    {
        if (!NativeLibrary.TryLoad(name, Assembly.GetExecutingAssembly(), null, out nint library))
            throw new DistributedException($"Open MPI is not installed ({name} was not found); install it, e.g. apt-get install openmpi-bin on Debian or Ubuntu");
        return new MpiLibrary(library);
    }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address) ? address
            : throw new DistributedException($"{Mpi.Library} does not export {name}: Nabla needs Open MPI 4 (apt-get install openmpi-bin)");
}
