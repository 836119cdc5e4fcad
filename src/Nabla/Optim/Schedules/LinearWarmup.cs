namespace Nabla.Optim.Schedules;

/// <summary>
/// Linear warm-up: ηₜ = η₀·(t + 1)/W for t &lt; W (so the first step already moves), then η₀ or,
/// when <c>then</c> is given, that schedule's rate at epoch t − W.
/// </summary>
public sealed class LinearWarmup : LearningRateSchedule
{
    private readonly LearningRateSchedule? _then;

    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">Optimizer whose rate η₀ is warmed up.</param>
    /// <param name="warmupSteps">W ≥ 1, the number of warm-up epochs (or batches).</param>
    /// <param name="then">Optional schedule followed after the warm-up; it must drive the same optimizer.</param>
    /// <exception cref="ArgumentException"><paramref name="then"/> drives another optimizer.</exception>
    public LinearWarmup(Optimizer optimizer, int warmupSteps, LearningRateSchedule? then = null) : base(optimizer)
    {
        WarmupSteps = Hyperparameters.AtLeastOne(warmupSteps, nameof(warmupSteps));
        if (then is not null && !ReferenceEquals(then.Optimizer, optimizer))
            throw new ArgumentException("the schedule after warm-up must drive the same optimizer", nameof(then));
        _then = then;
        Apply();
    }

    /// <summary>W.</summary>
    public int WarmupSteps { get; }

    /// <inheritdoc/>
    public override float LearningRateAt(int epoch, int group)
    {
        if (epoch < WarmupSteps) return (float)((double)BaseLearningRates[group] * (epoch + 1) / WarmupSteps);
        return _then?.LearningRateAt(epoch - WarmupSteps, group) ?? BaseLearningRates[group];
    }
}
