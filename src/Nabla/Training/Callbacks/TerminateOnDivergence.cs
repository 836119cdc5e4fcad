namespace Nabla.Training.Callbacks;

/// <summary>
/// Stops training when the loss explodes without ever becoming NaN or infinite (which
/// <see cref="TrainingStep"/> already stops on): a learning rate of 1e10 can drive a cross-entropy
/// loss to 10³² and leave a useless model that a run would otherwise report as finished. The rule:
/// a batch loss L stops training (with <see cref="TrainingDivergedException"/>) when
/// <code>L &gt; Factor · max(L₀, Floor)</code>
/// where L₀ is the run's first batch loss, the loss of the model before any step. The first value
/// is the reference rather than the best one because a well-fitted batch can reach a loss near 0,
/// after which an ordinary hard batch would look like an explosion; training that works never
/// climbs orders of magnitude above where it started. <see cref="Floor"/> keeps a run that resumes
/// an already good model (tiny L₀) from being stopped by a normal fluctuation: with the losses of
/// the <c>nabla</c> tool (cross-entropy, BCE, MSE on standardized targets), 1 is about the loss of a
/// model that knows nothing.
/// </summary>
public sealed class TerminateOnDivergence : Callback
{
    private double _first = double.NaN;

    /// <summary>Creates the rule.</summary>
    /// <param name="factor">How many times the reference a batch loss may reach (default 10⁴: four orders of magnitude).</param>
    /// <param name="floor">The smallest reference, in the loss's units (default 1).</param>
    public TerminateOnDivergence(double factor = 1e4, double floor = 1)
    {
        if (!(factor > 1) || !double.IsFinite(factor)) throw new ArgumentOutOfRangeException(nameof(factor), $"factor must be a number > 1, got {factor}");
        if (!(floor >= 0) || !double.IsFinite(floor)) throw new ArgumentOutOfRangeException(nameof(floor), $"floor must be a number ≥ 0, got {floor}");
        Factor = factor;
        Floor = floor;
    }

    /// <summary>How many times its reference a batch loss may reach.</summary>
    public double Factor { get; }

    /// <summary>The smallest reference.</summary>
    public double Floor { get; }

    /// <inheritdoc/>
    public override void OnTrainBegin() => _first = double.NaN;

    /// <inheritdoc/>
    public override void OnBatchEnd(in BatchLogs logs)
    {
        if (double.IsNaN(_first))
        {
            _first = logs.Loss;
            return;
        }
        double limit = Factor * Math.Max(_first, Floor);
        if (logs.Loss > limit)
            throw new TrainingDivergedException(logs.Epoch, logs.Batch, logs.BatchCount, (float)logs.Loss,
                (float)RequireContext().Optimizer.LearningRate, _first, Factor);
    }
}
