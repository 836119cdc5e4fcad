namespace Nabla.Optim.Schedules;

/// <summary>Step decay, like <c>torch.optim.lr_scheduler.StepLR</c>: ηₜ = η₀·γ^⌊t / stepSize⌋.</summary>
public sealed class StepLR : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">Optimizer whose rate η₀ is decayed.</param>
    /// <param name="stepSize">Epochs between decays, ≥ 1.</param>
    /// <param name="gamma">Multiplicative factor γ ≥ 0.</param>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        StepSize = Hyperparameters.AtLeastOne(stepSize, nameof(stepSize));
        Gamma = Hyperparameters.NonNegative(gamma, nameof(gamma));
        Apply();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float LearningRateAt(int epoch, int group) => (float)(BaseLearningRates[group] * Math.Pow(Gamma, epoch / StepSize));
}
