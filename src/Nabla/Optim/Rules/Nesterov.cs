using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// Nesterov momentum, as <c>torch.optim.SGD(nesterov=True)</c>: with buffer b (state
/// <c>momentum_buffer</c>),
/// <code>
/// b ← d  (first step);  b ← μ·b + d  (later steps)
/// d ← d + μ·b
/// </code>
/// </summary>
public sealed class Nesterov : UpdateRule
{
    private static readonly string[] Names = ["momentum_buffer"];

    /// <summary>Creates the rule.</summary>
    /// <param name="momentum">Momentum factor μ &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">μ is not a finite number &gt; 0.</exception>
    public Nesterov(double momentum) => Factor = Hyperparameters.Positive(momentum, nameof(momentum));

    /// <summary>μ.</summary>
    public float Factor { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateNames => Names;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step)
    {
        var g = step.Direction;
        var b = Momentum.Accumulate(ref step, Factor, 0f);
        Primitives.MultiplyAdd(b, Factor, g, step.NewDirection());
    }

    /// <inheritdoc/>
    public override string ToString() => $"Nesterov({Factor})";
}
