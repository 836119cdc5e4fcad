using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// Heavy-ball momentum, as <c>torch.optim.SGD</c>'s: with buffer b (state <c>momentum_buffer</c>),
/// <code>
/// b ← d                          (first step)
/// b ← μ·b + (1 − dampening)·d    (later steps)
/// d ← b
/// </code>
/// After <see cref="RMSpropRule"/> it is RMSprop's momentum (there dampening is 0 and PyTorch's
/// zero-initialised buffer gives the same first step).
/// </summary>
public sealed class Momentum : UpdateRule
{
    private static readonly string[] Names = ["momentum_buffer"];

    /// <summary>Creates the rule.</summary>
    /// <param name="momentum">Momentum factor μ ≥ 0.</param>
    /// <param name="dampening">Dampening ≥ 0 of the direction added to the buffer.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative or not finite.</exception>
    public Momentum(double momentum, double dampening = 0)
    {
        Factor = Hyperparameters.NonNegative(momentum, nameof(momentum));
        Dampening = Hyperparameters.NonNegative(dampening, nameof(dampening));
    }

    /// <summary>μ.</summary>
    public float Factor { get; }

    /// <summary>Dampening.</summary>
    public float Dampening { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateNames => Names;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step) => step.SetDirection(Accumulate(ref step, Factor, Dampening));

    /// <summary>Updates the buffer (state 0 of the calling rule) with the direction and returns it.</summary>
    internal static Span<float> Accumulate(scoped ref ParameterStep step, float momentum, float dampening)
    {
        var d = step.Direction;
        var b = step.State(0);
        if (step.IsNewState(0))
        {
            d.CopyTo(b);
        }
        else
        {
            Primitives.Multiply(b, momentum, b);
            Primitives.MultiplyAdd(d, 1f - dampening, b, b);
        }
        return b;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Momentum({Factor}, dampening {Dampening})";
}
