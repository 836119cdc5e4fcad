namespace Nabla.Optim.Rules;

/// <summary>
/// Clips a whole group's gradients by their total L2 norm, like <c>torch.nn.utils.clip_grad_norm_</c>
/// before <c>step()</c> (see <see cref="GradientClipping.ClipByNorm"/>): ‖g‖ = √(Σ over the group's
/// parameters Σ g²), c = maxNorm / (‖g‖ + 10⁻⁶), and if c &lt; 1 every gradient is multiplied by c
/// in place. Not a per-parameter rule: it runs once over the group, first in the chain.
/// </summary>
public sealed class ClipGlobalNorm : GroupRule
{
    /// <summary>Creates the rule.</summary>
    /// <param name="maxNorm">The largest total norm ≥ 0 let through.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or not finite.</exception>
    public ClipGlobalNorm(double maxNorm) => MaxNorm = Hyperparameters.NonNegative(maxNorm, nameof(maxNorm));

    /// <summary>The largest total norm let through.</summary>
    public float MaxNorm { get; }

    /// <inheritdoc/>
    public override void Apply(ParameterGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        GradientClipping.ClipByNorm(group.Parameters, MaxNorm);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ClipGlobalNorm({MaxNorm})";
}
