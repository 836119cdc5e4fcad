namespace Nabla.Optim.Rules;

/// <summary>
/// Adam's update, as <c>torch.optim.Adam</c>, taking the step itself in one fused pass
/// (<c>AdamUpdate</c>): with moments m, v (states <c>exp_avg</c>, <c>exp_avg_sq</c>;
/// <c>max_exp_avg_sq</c> with AMSGrad) and step t,
/// <code>
/// m ← β₁·m + (1 − β₁)·d
/// v ← β₂·v + (1 − β₂)·d²
/// m̂ ← m / (1 − β₁ᵗ);  v̂ ← v / (1 − β₂ᵗ)        (amsgrad: v̂ from vmax ← max(vmax, v))
/// p ← p − η·m̂ / (√v̂ + ε)
/// </code>
/// Being fused, it is the last rule of a chain. <see cref="Rules.WeightDecay"/> before it gives
/// <see cref="Adam"/>'s coupled decay, <see cref="DecoupledWeightDecay"/> gives <see cref="AdamW"/>.
/// </summary>
public sealed class AdamRule : UpdateRule
{
    private readonly string[] _names;

    /// <summary>Creates the rule.</summary>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term ε &gt; 0 added to the denominator.</param>
    /// <param name="amsgrad">Use the running maximum of the second moment (AMSGrad).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public AdamRule(double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool amsgrad = false)
    {
        Beta1 = Hyperparameters.UnitInterval(beta1, nameof(beta1));
        Beta2 = Hyperparameters.UnitInterval(beta2, nameof(beta2));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
        AmsGrad = amsgrad;
        _names = amsgrad ? [AdamUpdate.ExpAvg, AdamUpdate.ExpAvgSq, AdamUpdate.MaxExpAvgSq] : [AdamUpdate.ExpAvg, AdamUpdate.ExpAvgSq];
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateNames => _names;

    /// <inheritdoc/>
    public override bool AppliesStep => true;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step) =>
        AdamUpdate.Apply(step.Parameter, step.Direction, step.State(0), step.State(1), AmsGrad ? step.State(2) : default,
            step.LearningRate, Beta1, Beta2, Eps, step.Step);

    /// <inheritdoc/>
    public override string ToString() => $"Adam(betas ({Beta1}, {Beta2}), eps {Eps}{(AmsGrad ? ", amsgrad" : "")})";
}
