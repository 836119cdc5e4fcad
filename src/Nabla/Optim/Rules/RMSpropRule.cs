using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// RMSprop's scaling, as <c>torch.optim.RMSprop</c>: with the running mean of squares v (state
/// <c>square_avg</c>) and, centered, the running mean ḡ (state <c>grad_avg</c>),
/// <code>
/// v ← α·v + (1 − α)·d²
/// centered:  ḡ ← α·ḡ + (1 − α)·d;  d ← d / (√(v − ḡ²) + ε)
/// otherwise: d ← d / (√v + ε)
/// </code>
/// RMSprop's momentum is a <see cref="Momentum"/> rule after this one.
/// </summary>
public sealed class RMSpropRule : UpdateRule
{
    private readonly string[] _names;

    /// <summary>Creates the rule.</summary>
    /// <param name="alpha">Smoothing constant α in [0, 1).</param>
    /// <param name="eps">Term ε &gt; 0 added to the denominator.</param>
    /// <param name="centered">Normalize by the estimated variance of the gradient instead of its second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public RMSpropRule(double alpha = 0.99, double eps = 1e-8, bool centered = false)
    {
        Alpha = Hyperparameters.UnitInterval(alpha, nameof(alpha));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
        Centered = centered;
        _names = centered ? ["square_avg", "grad_avg"] : ["square_avg"];
    }

    /// <summary>α.</summary>
    public float Alpha { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateNames => _names;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step)
    {
        var g = step.Direction;
        var v = step.State(0);
        var d = step.NewDirection();
        Primitives.Multiply(v, Alpha, v);
        Primitives.Multiply(g, g, d);
        Primitives.MultiplyAdd(d, 1f - Alpha, v, v);
        if (Centered)
        {
            var gAvg = step.State(1);
            Primitives.Multiply(gAvg, Alpha, gAvg);
            Primitives.MultiplyAdd(g, 1f - Alpha, gAvg, gAvg);
            Primitives.Multiply(gAvg, gAvg, d);
            Primitives.Subtract(v, d, d);
            Primitives.Sqrt(d, d);
        }
        else
        {
            Primitives.Sqrt(v, d);
        }
        Primitives.Add(d, Eps, d);
        Primitives.Divide(g, d, d);
    }

    /// <inheritdoc/>
    public override string ToString() => $"RMSprop(alpha {Alpha}, eps {Eps}{(Centered ? ", centered" : "")})";
}
