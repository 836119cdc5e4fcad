namespace Nabla.Training.Callbacks;

/// <summary>
/// Changes the optimizer's learning rate once per epoch. Three forms:
/// a schedule object's <c>Step</c> (<c>new LearningRateScheduler(schedule.Step)</c>, called after each epoch);
/// a Keras function <c>(epoch, lr) → new lr</c> applied before each epoch (to each parameter group's rate);
/// or a plateau schedule fed the monitored figure (<c>LearningRateScheduler.OnPlateau("val_loss", plateau.Step)</c>).
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly Action? _step;
    private readonly Func<int, float, float>? _function;
    private readonly Action<double>? _metricStep;

    /// <summary>Calls <paramref name="step"/> (an LR schedule's <c>Step</c>) at the end of every epoch.</summary>
    public LearningRateScheduler(Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
    }

    /// <summary>Sets the learning rate to <c>schedule(epoch, currentLr)</c> at the start of every epoch (Keras' form).</summary>
    public LearningRateScheduler(Func<int, float, float> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _function = schedule;
    }

    private LearningRateScheduler(string monitor, Action<double> step)
    {
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        ArgumentNullException.ThrowIfNull(step);
        Monitor = monitor;
        _metricStep = step;
    }

    /// <summary>
    /// Passes the figure <paramref name="monitor"/> to <paramref name="step"/> (e.g. ReduceLROnPlateau's
    /// <c>Step(metric)</c>) at the end of every epoch.
    /// </summary>
    public static LearningRateScheduler OnPlateau(string monitor, Action<double> step) => new(monitor, step);

    /// <summary>The monitored figure for the plateau form, otherwise null.</summary>
    public string? Monitor { get; }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        if (_function is null) return;
        foreach (var group in RequireContext().Optimizer.ParamGroups) group.LearningRate = _function(epoch, (float)group.LearningRate);
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        _step?.Invoke();
        if (_metricStep is not null) _metricStep(logs[Monitor!]);
    }
}
