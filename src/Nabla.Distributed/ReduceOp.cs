namespace Nabla.Distributed;

/// <summary>How an all-reduce combines the processes' values, element by element (MPI_SUM, MPI_MIN, MPI_MAX).</summary>
public enum ReduceOp
{
    /// <summary>The sum.</summary>
    Sum,

    /// <summary>The smallest value.</summary>
    Min,

    /// <summary>The largest value.</summary>
    Max,
}
