using Nabla.Nn;

namespace Nabla.Training.Callbacks;

/// <summary>
/// Keeps the model state of the best epoch by <see cref="Monitor"/> in memory (or of every epoch
/// when <c>saveBestOnly</c> is false) and calls <see cref="Save"/> with it, so a caller can write it
/// to disk (the IO layer's model files) without this layer knowing about files.
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    private readonly MonitorMode _mode;
    private readonly double _minDelta;
    private Monitor? _monitor;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The figure deciding what is best, e.g. <c>val_loss</c>.</param>
    /// <param name="saveBestOnly">Only keep improvements (otherwise every epoch replaces the state).</param>
    /// <param name="mode">Whether the figure should go down or up; auto guesses from the name.</param>
    /// <param name="save">Called after the state was captured: (epoch, model, monitored value).</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    public ModelCheckpoint(string monitor = "val_loss", bool saveBestOnly = true, MonitorMode mode = MonitorMode.Auto,
        Action<int, Module, double>? save = null, double minDelta = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        _ = new Monitor(monitor, mode, minDelta);
        Monitor = monitor;
        SaveBestOnly = saveBestOnly;
        _mode = mode;
        _minDelta = minDelta;
        Save = save;
    }

    /// <summary>The monitored figure's name.</summary>
    public string Monitor { get; }

    /// <summary>Whether only improvements are kept.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>The save hook: (epoch, model, monitored value); the model holds the state being saved.</summary>
    public Action<int, Module, double>? Save { get; set; }

    /// <summary>The kept state (copies, by state-dict name).</summary>
    public StateSnapshot BestState { get; } = new();

    /// <summary>The epoch (from 0) of the kept state, −1 before any.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>The monitored value of the kept state.</summary>
    public double BestValue { get; private set; } = double.NaN;

    /// <inheritdoc/>
    public override void OnTrainBegin() => _monitor = new Monitor(Monitor, _mode, _minDelta);

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        double value = _monitor!.Read(logs);
        if (!_monitor.Improves(value, epoch) && SaveBestOnly) return;
        var model = RequireContext().Model;
        BestState.Capture(model);
        BestEpoch = epoch;
        BestValue = value;
        Save?.Invoke(epoch, model, value);
    }
}
