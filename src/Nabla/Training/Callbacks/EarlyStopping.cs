namespace Nabla.Training.Callbacks;

/// <summary>
/// Stops training when <see cref="Monitor"/> has not improved by more than <see cref="MinDelta"/>
/// for <see cref="Patience"/> epochs in a row (Keras' <c>EarlyStopping</c>). With
/// <see cref="RestoreBestWeights"/> the model gets back the state of its best epoch when
/// training ends (kept as an in-memory copy of the state dict).
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly MonitorMode _mode;
    private readonly StateSnapshot _best = new();
    private Monitor? _monitor;
    private int _wait;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The figure to watch, e.g. <c>val_loss</c> or <c>val_accuracy</c>.</param>
    /// <param name="patience">Epochs without improvement tolerated before stopping (≥ 0).</param>
    /// <param name="minDelta">The smallest change that counts as an improvement (≥ 0).</param>
    /// <param name="mode">Whether the figure should go down or up; auto guesses from the name.</param>
    /// <param name="restoreBestWeights">Restore the best epoch's weights at the end of training.</param>
    public EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        _ = new Monitor(monitor, mode, minDelta); // validates the arguments now rather than in Fit
        Monitor = monitor;
        Patience = patience;
        MinDelta = minDelta;
        _mode = mode;
        RestoreBestWeights = restoreBestWeights;
    }

    /// <summary>The monitored figure's name.</summary>
    public string Monitor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Minimum improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether the best weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>The best monitored value seen (NaN before training).</summary>
    public double BestValue => _monitor?.Best ?? double.NaN;

    /// <summary>The epoch (from 0) of the best value, −1 before any.</summary>
    public int BestEpoch => _monitor?.BestEpoch ?? -1;

    /// <summary>The epoch (from 0) after which training was stopped, −1 if it was not.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _monitor = new Monitor(Monitor, _mode, MinDelta);
        _wait = 0;
        StoppedEpoch = -1;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var ctx = RequireContext();
        if (_monitor!.Improves(_monitor.Read(logs), epoch))
        {
            _wait = 0;
            if (RestoreBestWeights) _best.Capture(ctx.Model);
            return;
        }
        if (++_wait > Patience)
        {
            StoppedEpoch = epoch;
            ctx.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd()
    {
        if (RestoreBestWeights && !_best.IsEmpty) _best.Restore(RequireContext().Model);
    }
}
