using Nabla.Optim.Rules;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Adagrad, exactly as <c>torch.optim.Adagrad</c>. For each parameter p with gradient g, step t:
/// <code>
/// η̃ ← lr / (1 + (t − 1)·lrDecay)
/// g ← g + weightDecay·p
/// s ← s + g²                    (s starts at initialAccumulatorValue)
/// p ← p − η̃·g / (√s + eps)
/// </code>
/// The chain: <see cref="Rules.WeightDecay"/> → <see cref="AdagradRule"/>. State: <c>"{i}.sum"</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates the optimizer over one group.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="lrDecay">Learning-rate decay ≥ 0 (η̃ = η / (1 + (t − 1)·lrDecay)).</param>
    /// <param name="weightDecay">L2 penalty coefficient added to the gradient.</param>
    /// <param name="initialAccumulatorValue">Initial value ≥ 0 of the sum of squares.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 0.01, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(parameters, lr, weightDecay, new WeightDecay(), new AdagradRule(lrDecay, initialAccumulatorValue, eps)) { }

    /// <summary>Creates the optimizer over parameter groups, each with its own learning rate and weight decay (defaults: <paramref name="lr"/>, <paramref name="weightDecay"/>).</summary>
    /// <inheritdoc cref="Adagrad(IEnumerable{Tensor}, double, double, double, double, double)"/>
    public Adagrad(IEnumerable<ParameterGroup> groups, double lr = 0.01, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(groups, lr, weightDecay, new WeightDecay(), new AdagradRule(lrDecay, initialAccumulatorValue, eps)) { }

    private AdagradRule Core => (AdagradRule)Chain[^1];

    /// <summary>Learning-rate decay.</summary>
    public float LrDecay => Core.LrDecay;

    /// <summary>Initial value of the accumulated squares.</summary>
    public float InitialAccumulatorValue => Core.InitialAccumulatorValue;

    /// <summary>Denominator term ε.</summary>
    public float Eps => Core.Eps;
}
