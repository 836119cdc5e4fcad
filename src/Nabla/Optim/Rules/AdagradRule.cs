using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// Adagrad's scaling, as <c>torch.optim.Adagrad</c>: with the sum of squares s (state
/// <c>sum</c>, starting at <c>initialAccumulatorValue</c>) and step t,
/// <code>
/// η ← η / (1 + (t − 1)·lrDecay)
/// s ← s + d²
/// d ← d / (√s + ε)
/// </code>
/// </summary>
public sealed class AdagradRule : UpdateRule
{
    private static readonly string[] Names = ["sum"];

    /// <summary>Creates the rule.</summary>
    /// <param name="lrDecay">Learning-rate decay ≥ 0.</param>
    /// <param name="initialAccumulatorValue">Initial value ≥ 0 of the sum of squares.</param>
    /// <param name="eps">Term ε &gt; 0 added to the denominator.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public AdagradRule(double lrDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
    {
        LrDecay = Hyperparameters.NonNegative(lrDecay, nameof(lrDecay));
        InitialAccumulatorValue = Hyperparameters.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
    }

    /// <summary>Learning-rate decay.</summary>
    public float LrDecay { get; }

    /// <summary>Initial value of the accumulated squares.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateNames => Names;

    /// <inheritdoc/>
    public override float InitialState(int index) => InitialAccumulatorValue;

    /// <inheritdoc/>
    public override bool LeavesUnlistedRows(float weightDecay) => true;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step)
    {
        step.LearningRate = (float)(step.LearningRate / (1.0 + (step.Step - 1) * (double)LrDecay));
        var g = step.Direction;
        var s = step.State(0);
        var d = step.NewDirection();
        Primitives.Multiply(g, g, d);
        Primitives.Add(s, d, s);
        Primitives.Sqrt(s, d);
        Primitives.Add(d, Eps, d);
        Primitives.Divide(g, d, d);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Adagrad(lrDecay {LrDecay}, eps {Eps})";
}
