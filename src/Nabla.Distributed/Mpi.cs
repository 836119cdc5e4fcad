using System.Runtime.InteropServices;

namespace Nabla.Distributed;

/// <summary>
/// The MPI functions data-parallel training calls, bound directly to Open MPI's C library. In Open MPI
/// every handle (communicator, datatype, operation, request, error handler) is a pointer; the
/// predefined ones are the addresses of exported globals (<see cref="MpiLibrary"/>). Only the
/// non-blocking collectives are bound: each is polled with <see cref="Test"/> against a deadline, so no
/// call can wait forever for a process that stopped.
/// </summary>
internal static unsafe partial class Mpi
{
    /// <summary>Open MPI 4's library (Debian <c>libopenmpi3</c>).</summary>
    public const string Library = "libmpi.so.40";

    /// <summary>MPI_SUCCESS.</summary>
    public const int Success = 0;

    /// <summary>MPI_THREAD_FUNNELED: only the thread that initialized MPI calls it.</summary>
    public const int ThreadFunneled = 1;

    /// <summary>MPI_IN_PLACE in Open MPI: the receive buffer is also the send buffer.</summary>
    public static readonly void* InPlace = (void*)1;

    /// <summary>MPI_MAX_ERROR_STRING in Open MPI.</summary>
    public const int MaxErrorString = 256;

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    public static partial int Initialized(int* flag);

    [LibraryImport(Library, EntryPoint = "MPI_Init_thread")]
    public static partial int InitThread(int* argc, byte*** argv, int required, int* provided);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    public static partial int Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    public static partial int Abort(nint comm, int errorCode);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    public static partial int CommRank(nint comm, int* rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    public static partial int CommSize(nint comm, int* size);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_set_errhandler")]
    public static partial int CommSetErrhandler(nint comm, nint errhandler);

    [LibraryImport(Library, EntryPoint = "MPI_Iallreduce")]
    public static partial int Iallreduce(void* sendBuffer, void* receiveBuffer, int count, nint datatype, nint op, nint comm, nint* request);

    [LibraryImport(Library, EntryPoint = "MPI_Ibcast")]
    public static partial int Ibcast(void* buffer, int count, nint datatype, int root, nint comm, nint* request);

    [LibraryImport(Library, EntryPoint = "MPI_Ibarrier")]
    public static partial int Ibarrier(nint comm, nint* request);

    /// <summary>MPI_Test; <paramref name="status"/> null is MPI_STATUS_IGNORE.</summary>
    [LibraryImport(Library, EntryPoint = "MPI_Test")]
    public static partial int Test(nint* request, int* flag, void* status);

    [LibraryImport(Library, EntryPoint = "MPI_Error_string")]
    public static partial int ErrorString(int errorCode, byte* text, int* length);
}
