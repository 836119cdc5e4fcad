namespace Nabla.Optim.Schedules;

/// <summary>
/// Linear decay: ηₜ = (1 − t/τ)·η₀ + (t/τ)·η_τ for t ≤ τ, then η_τ (the same η_τ for every group).
/// </summary>
public sealed class LinearDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">Optimizer whose rate η₀ is decayed.</param>
    /// <param name="decaySteps">τ ≥ 1, the epoch at which the final rate is reached.</param>
    /// <param name="finalLearningRate">η_τ ≥ 0 (often about η₀/100).</param>
    public LinearDecay(Optimizer optimizer, int decaySteps, double finalLearningRate) : base(optimizer)
    {
        DecaySteps = Hyperparameters.AtLeastOne(decaySteps, nameof(decaySteps));
        FinalLearningRate = Hyperparameters.NonNegative(finalLearningRate, nameof(finalLearningRate));
        Apply();
    }

    /// <summary>τ.</summary>
    public int DecaySteps { get; }

    /// <summary>η_τ.</summary>
    public float FinalLearningRate { get; }

    /// <inheritdoc/>
    public override float LearningRateAt(int epoch, int group)
    {
        if (epoch >= DecaySteps) return FinalLearningRate;
        double f = (double)epoch / DecaySteps;
        return (float)((1 - f) * BaseLearningRates[group] + f * FinalLearningRate);
    }
}
