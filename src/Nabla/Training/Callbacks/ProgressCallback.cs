namespace Nabla.Training.Callbacks;

/// <summary>
/// Reports progress through events a front end renders (the CLI draws bars from them):
/// <see cref="BatchEnd"/> every <see cref="Every"/> batches and on the last batch of an epoch,
/// <see cref="EpochEnd"/> after every epoch. Raising the events allocates nothing.
/// </summary>
public sealed class ProgressCallback : Callback
{
    /// <summary>Creates the callback; <paramref name="every"/> thins out the batch reports (≥ 1).</summary>
    public ProgressCallback(int every = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        Every = every;
    }

    /// <summary>Batch reports are raised for every this-many batches.</summary>
    public int Every { get; }

    /// <summary>Batch figures: index, count, running loss, running accuracy (NaN without an accuracy metric), samples/s.</summary>
    public event Action<BatchLogs>? BatchEnd;

    /// <summary>Epoch figures (loss, metrics, validation, lr, seconds) and the requested number of epochs.</summary>
    public event Action<EpochLogs, int>? EpochEnd;

    /// <inheritdoc/>
    public override void OnBatchEnd(in BatchLogs logs)
    {
        if ((logs.Batch + 1) % Every == 0 || logs.Batch == logs.BatchCount - 1) BatchEnd?.Invoke(logs);
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs) => EpochEnd?.Invoke(logs, RequireContext().Epochs);
}
