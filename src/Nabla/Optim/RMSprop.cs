using Nabla.Optim.Rules;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// RMSprop, exactly as <c>torch.optim.RMSprop</c>. For each parameter p with gradient g:
/// <code>
/// g ← g + weightDecay·p
/// v ← α·v + (1 − α)·g²
/// centered:  ḡ ← α·ḡ + (1 − α)·g;  d ← √(v − ḡ²) + eps
/// otherwise: d ← √v + eps
/// momentum μ &gt; 0: b ← μ·b + g/d;  p ← p − lr·b      (b starts at 0)
/// otherwise:       p ← p − lr·g/d
/// </code>
/// The chain: <see cref="Rules.WeightDecay"/> → <see cref="RMSpropRule"/> → <see cref="Rules.Momentum"/> (when μ &gt; 0).
/// State: <c>"{i}.square_avg"</c>, <c>"{i}.grad_avg"</c> (centered), <c>"{i}.momentum_buffer"</c> (momentum).
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Creates the optimizer over one group.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="alpha">Smoothing constant α in [0, 1).</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <param name="weightDecay">L2 penalty coefficient added to the gradient.</param>
    /// <param name="momentum">Momentum factor μ ≥ 0.</param>
    /// <param name="centered">Normalize by the estimated variance of the gradient instead of its second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(parameters, lr, weightDecay, MakeChain((float)alpha, (float)eps, (float)momentum, centered))
    {
        Momentum = (float)momentum;
    }

    /// <summary>Creates the optimizer over parameter groups, each with its own learning rate and weight decay (defaults: <paramref name="lr"/>, <paramref name="weightDecay"/>).</summary>
    /// <inheritdoc cref="RMSprop(IEnumerable{Tensor}, double, double, double, double, double, bool)"/>
    public RMSprop(IEnumerable<ParameterGroup> groups, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(groups, lr, weightDecay, MakeChain((float)alpha, (float)eps, (float)momentum, centered))
    {
        Momentum = (float)momentum;
    }

    private RMSpropRule Core => (RMSpropRule)Chain[1];

    /// <summary>Smoothing constant α.</summary>
    public float Alpha => Core.Alpha;

    /// <summary>Denominator term ε.</summary>
    public float Eps => Core.Eps;

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered => Core.Centered;

    private static Rule[] MakeChain(float alpha, float eps, float momentum, bool centered)
    {
        var rule = new RMSpropRule(alpha, eps, centered);
        return Hyperparameters.NonNegative(momentum, nameof(momentum)) > 0f
            ? [new WeightDecay(), rule, new Rules.Momentum(momentum)]
            : [new WeightDecay(), rule];
    }
}
