using Nabla.Optim.Rules;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// AdamW (Adam with decoupled weight decay), exactly as <c>torch.optim.AdamW</c>. For each
/// parameter p with gradient g, step t:
/// <code>
/// p ← p·(1 − lr·weightDecay)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// m̂ ← m / (1 − β₁ᵗ);  v̂ ← v / (1 − β₂ᵗ)        (amsgrad: v̂ from vmax ← max(vmax, v))
/// p ← p − lr·m̂ / (√v̂ + eps)
/// </code>
/// The chain: <see cref="DecoupledWeightDecay"/> → <see cref="AdamRule"/>. State: <c>"{i}.exp_avg"</c>,
/// <c>"{i}.exp_avg_sq"</c>, <c>"{i}.max_exp_avg_sq"</c> (amsgrad). To spare biases and normalization
/// parameters, pass <see cref="ParameterGroup.DecayWeightsOnly"/>.
/// </summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates the optimizer over one group.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <param name="weightDecay">Decoupled weight decay λ: parameters shrink by lr·λ each step.</param>
    /// <param name="amsgrad">Use the running maximum of the second moment (AMSGrad).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0.01, bool amsgrad = false)
        : base(parameters, lr, weightDecay, new DecoupledWeightDecay(), new AdamRule(beta1, beta2, eps, amsgrad)) { }

    /// <summary>Creates the optimizer over parameter groups, each with its own learning rate and weight decay (defaults: <paramref name="lr"/>, <paramref name="weightDecay"/>).</summary>
    /// <inheritdoc cref="AdamW(IEnumerable{Tensor}, double, double, double, double, double, bool)"/>
    public AdamW(IEnumerable<ParameterGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0.01, bool amsgrad = false)
        : base(groups, lr, weightDecay, new DecoupledWeightDecay(), new AdamRule(beta1, beta2, eps, amsgrad)) { }

    private AdamRule Core => (AdamRule)Chain[^1];

    /// <summary>First-moment decay β₁.</summary>
    public float Beta1 => Core.Beta1;

    /// <summary>Second-moment decay β₂.</summary>
    public float Beta2 => Core.Beta2;

    /// <summary>Denominator term ε.</summary>
    public float Eps => Core.Eps;

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad => Core.AmsGrad;
}
