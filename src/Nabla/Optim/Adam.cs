using Nabla.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nabla.Optim;

/// <summary>
/// Adam, exactly as <c>torch.optim.Adam</c> (weight decay coupled to the gradient; see
/// <see cref="AdamW"/> for the decoupled form). For each parameter p with gradient g, step t:
/// <code>
/// g ← g + weightDecay·p
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// m̂ ← m / (1 − β₁ᵗ);  v̂ ← v / (1 − β₂ᵗ)        (amsgrad: v̂ from vmax ← max(vmax, v))
/// p ← p − lr·m̂ / (√v̂ + eps)
/// </code>
/// t is the optimizer's <see cref="Optimizer.StepCount"/>. State: <c>"{i}.exp_avg"</c>,
/// <c>"{i}.exp_avg_sq"</c>, <c>"{i}.max_exp_avg_sq"</c> (amsgrad).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly ParameterStates _state;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <param name="weightDecay">L2 penalty coefficient added to the gradient.</param>
    /// <param name="amsgrad">Use the running maximum of the second moment (AMSGrad).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public Adam(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 0f, bool amsgrad = false)
        : base(parameters, lr)
    {
        Beta1 = Hyperparameters.UnitInterval(beta1, nameof(beta1));
        Beta2 = Hyperparameters.UnitInterval(beta2, nameof(beta2));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        AmsGrad = amsgrad;
        _state = new ParameterStates(Parameters, AdamUpdate.ExpAvg, AdamUpdate.ExpAvgSq, AdamUpdate.MaxExpAvgSq);
    }

    /// <summary>First-moment decay β₁.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay β₂.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator term ε.</summary>
    public float Eps { get; }

    /// <summary>L2 weight decay coefficient (coupled: added to the gradient).</summary>
    public float WeightDecay { get; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var param = Parameters[i];
            if (param.Grad is null) continue;
            var p = param.AsSpan();
            _state.Scratch(p.Length, out var a, out _);
            ReadOnlySpan<float> g = param.Grad.AsSpan();
            if (WeightDecay != 0f)
            {
                TensorPrimitives.MultiplyAdd(p, WeightDecay, g, a);
                g = a;
            }

            var vMax = AmsGrad ? _state.Get(AdamUpdate.MaxExpAvgSq, i) : default;
            AdamUpdate.Apply(p, g, _state.Get(AdamUpdate.ExpAvg, i), _state.Get(AdamUpdate.ExpAvgSq, i), vMax,
                LearningRate, Beta1, Beta2, Eps, StepCount);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict() => _state.Export(StepCount);

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => StepCount = _state.Import(state, nameof(Adam));
}
