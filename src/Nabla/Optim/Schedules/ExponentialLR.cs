namespace Nabla.Optim.Schedules;

/// <summary>Exponential decay, like <c>torch.optim.lr_scheduler.ExponentialLR</c>: ηₜ = η₀·γᵗ.</summary>
public sealed class ExponentialLR : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">Optimizer whose rate η₀ is decayed.</param>
    /// <param name="gamma">Multiplicative factor γ ≥ 0 per epoch.</param>
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = Hyperparameters.NonNegative(gamma, nameof(gamma));
        Apply();
    }

    /// <summary>γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float LearningRateAt(int epoch, int group) => (float)(BaseLearningRates[group] * Math.Pow(Gamma, epoch));
}
