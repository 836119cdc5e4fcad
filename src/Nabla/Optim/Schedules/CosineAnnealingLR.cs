namespace Nabla.Optim.Schedules;

/// <summary>
/// Cosine annealing, like <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> (closed form):
/// ηₜ = η_min + (η₀ − η_min)·(1 + cos(π·t / T_max)) / 2. As in PyTorch, t is not capped, so past
/// T_max the rate rises again along the cosine (period 2·T_max).
/// </summary>
public sealed class CosineAnnealingLR : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">Optimizer whose rate η₀ is annealed.</param>
    /// <param name="tMax">T_max ≥ 1, the half period in epochs.</param>
    /// <param name="etaMin">η_min ≥ 0, the lowest rate.</param>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        TMax = Hyperparameters.AtLeastOne(tMax, nameof(tMax));
        EtaMin = Hyperparameters.NonNegative(etaMin, nameof(etaMin));
        Apply();
    }

    /// <summary>T_max.</summary>
    public int TMax { get; }

    /// <summary>η_min.</summary>
    public float EtaMin { get; }

    /// <inheritdoc/>
    public override float LearningRateAt(int epoch, int group) =>
        (float)(EtaMin + (BaseLearningRates[group] - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2);
}
