using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// Clamps each element of the direction: d ← clamp(d, −c, c), like
/// <c>torch.nn.utils.clip_grad_value_</c> (and Optimisers.jl's <c>ClipGrad</c>) applied inside the chain.
/// </summary>
public sealed class ClipValue : UpdateRule
{
    /// <summary>Creates the rule.</summary>
    /// <param name="clipValue">c ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">c is negative or not finite.</exception>
    public ClipValue(double clipValue) => Value = Hyperparameters.NonNegative(clipValue, nameof(clipValue));

    /// <summary>c.</summary>
    public float Value { get; }

    /// <inheritdoc/>
    public override bool LeavesUnlistedRows(float weightDecay) => true;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step)
    {
        var g = step.Direction;
        Primitives.Clamp(g, -Value, Value, step.NewDirection());
    }

    /// <inheritdoc/>
    public override string ToString() => $"ClipValue({Value})";
}
