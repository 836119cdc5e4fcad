using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// Rescales each parameter's direction on its own when its L2 norm exceeds the maximum (Keras'
/// <c>clipnorm</c>, Optimisers.jl's <c>ClipNorm</c>): c = maxNorm / (‖d‖ + 10⁻⁶); if c &lt; 1,
/// d ← c·d. For one norm over all parameters (<c>clip_grad_norm_</c>) use
/// <see cref="ClipGlobalNorm"/>. Needs the whole parameter, so a chain with it is not split
/// across threads.
/// </summary>
public sealed class ClipNorm : UpdateRule
{
    /// <summary>Creates the rule.</summary>
    /// <param name="maxNorm">The largest norm ≥ 0 let through.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or not finite.</exception>
    public ClipNorm(double maxNorm) => MaxNorm = Hyperparameters.NonNegative(maxNorm, nameof(maxNorm));

    /// <summary>The largest norm let through.</summary>
    public float MaxNorm { get; }

    /// <inheritdoc/>
    public override bool IsElementwise => false;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step)
    {
        var g = step.Direction;
        double norm = Math.Sqrt(Reductions.SumOfSquares(g));
        double coefficient = MaxNorm / (norm + 1e-6);
        if (coefficient < 1) Primitives.Multiply(g, (float)coefficient, step.NewDirection());
    }

    /// <inheritdoc/>
    public override string ToString() => $"ClipNorm({MaxNorm})";
}
