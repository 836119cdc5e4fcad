namespace Nabla.Training.Callbacks;

/// <summary>
/// Hooks into <c>Fit</c>, as Keras callbacks: override the events you need. <see cref="Context"/>
/// is set before <see cref="OnTrainBegin"/>; set <c>Context.StopTraining</c> to stop.
/// </summary>
public abstract class Callback
{
    /// <summary>The running fit (model, optimizer, history, stop flag); null outside <c>Fit</c>.</summary>
    public TrainingContext? Context { get; internal set; }

    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin() { }

    /// <summary>After the last epoch (also after an early stop).</summary>
    public virtual void OnTrainEnd() { }

    /// <summary>Before epoch <paramref name="epoch"/> (from 0).</summary>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>After epoch <paramref name="epoch"/>, with its figures (validation included).</summary>
    public virtual void OnEpochEnd(int epoch, EpochLogs logs) { }

    /// <summary>
    /// After each batch's backward pass and before the optimizer step (from the optimizer's
    /// <c>BeforeStep</c> hook): gradients are complete here, so inspect or clip them. Called in the
    /// hot loop: do not allocate.
    /// </summary>
    public virtual void OnBeforeStep() { }

    /// <summary>After each training batch (called in the hot loop: do not allocate).</summary>
    public virtual void OnBatchEnd(in BatchLogs logs) { }

    /// <summary>The context, or an error when used outside <c>Fit</c>.</summary>
    protected TrainingContext RequireContext() =>
        Context ?? throw new InvalidOperationException($"{GetType().Name} is used outside Fit");
}
