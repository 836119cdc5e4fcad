using Nabla.Optim.Rules;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
/// decay, exactly as <c>torch.optim.SGD</c>. For each parameter p with gradient g, step t:
/// <code>
/// g ← g + weightDecay·p
/// if momentum ≠ 0:
///     b ← g                                   (t = 1)
///     b ← momentum·b + (1 − dampening)·g      (t &gt; 1)
///     g ← nesterov ? g + momentum·b : b
/// p ← p − lr·g
/// </code>
/// The chain: <see cref="Rules.WeightDecay"/> → <see cref="Rules.Momentum"/> or <see cref="Rules.Nesterov"/> (when momentum ≠ 0).
/// State: <c>"{i}.momentum_buffer"</c> (only with momentum).
/// </summary>
/// <example><code>var opt = new SGD(model.Parameters(), lr: 0.1f, momentum: 0.9f, nesterov: true);</code></example>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimizer over one group.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="momentum">Momentum factor μ ≥ 0.</param>
    /// <param name="dampening">Dampening d ≥ 0 of the gradient added to the momentum buffer.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs μ &gt; 0 and d = 0, like PyTorch).</param>
    /// <param name="weightDecay">L2 penalty coefficient added to the gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is negative or not finite.</exception>
    /// <exception cref="ArgumentException">Nesterov with zero momentum or non-zero dampening.</exception>
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameters, lr, weightDecay, MakeChain((float)momentum, (float)dampening, nesterov))
    {
        (Momentum, Dampening, Nesterov) = ((float)momentum, (float)dampening, nesterov);
    }

    /// <summary>Creates the optimizer over parameter groups, each with its own learning rate and weight decay (defaults: <paramref name="lr"/>, <paramref name="weightDecay"/>).</summary>
    /// <inheritdoc cref="SGD(IEnumerable{Tensor}, double, double, double, bool, double)"/>
    public SGD(IEnumerable<ParameterGroup> groups, double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : base(groups, lr, weightDecay, MakeChain((float)momentum, (float)dampening, nesterov))
    {
        (Momentum, Dampening, Nesterov) = ((float)momentum, (float)dampening, nesterov);
    }

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Dampening d.</summary>
    public float Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    private static Rule[] MakeChain(float momentum, float dampening, bool nesterov)
    {
        Hyperparameters.NonNegative(momentum, nameof(momentum));
        Hyperparameters.NonNegative(dampening, nameof(dampening));
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException($"Nesterov momentum requires momentum > 0 and dampening = 0, got momentum {momentum}, dampening {dampening}", nameof(nesterov));
        if (momentum == 0f) return [new WeightDecay()];
        return [new WeightDecay(), nesterov ? new Rules.Nesterov(momentum) : new Rules.Momentum(momentum, dampening)];
    }
}
