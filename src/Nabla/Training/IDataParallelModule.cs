namespace Nabla.Training;

/// <summary>
/// A model trained by several processes at once, each on its own <see cref="Data.DataShard"/> of
/// every batch (the <c>Nabla.Distributed</c> assembly's <c>DistributedDataParallel</c> over MPI).
/// <c>Fit</c> and <c>Evaluate</c> call <see cref="SumOverProcesses"/> with their running totals — loss
/// sums, sample counts, each metric's summable state — so every process logs the figures of all the
/// data, and early stopping, checkpoints and schedules decide the same way everywhere. Every process
/// makes the same calls in the same order.
/// </summary>
public interface IDataParallelModule
{
    /// <summary>Replaces each element of <paramref name="values"/> by its sum over all processes (an all-reduce).</summary>
    void SumOverProcesses(Span<double> values);
}
