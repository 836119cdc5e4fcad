using System.Runtime.CompilerServices;

namespace Nabla.Optim.Rules;

/// <summary>
/// The "lazy" Adam of <c>torch.optim.SparseAdam</c>, taking the step itself: with moments m, v
/// (states <c>exp_avg</c>, <c>exp_avg_sq</c>) and step t, for the elements it is given
/// <code>
/// m ← m + (1 − β₁)·(d − m)
/// v ← v + (1 − β₂)·(d² − v)
/// p ← p − η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)
/// </code>
/// Rows a row-sparse gradient does not list are skipped with their moments
/// (<see cref="UpdateRule.LeavesUnlistedRows"/>): that is the rule's definition, not an equivalence
/// — their moments do not decay, unlike <see cref="AdamRule"/>'s.
/// </summary>
public sealed class SparseAdamRule : UpdateRule
{
    private static readonly string[] Names = [AdamUpdate.ExpAvg, AdamUpdate.ExpAvgSq];

    /// <summary>Creates the rule.</summary>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term ε &gt; 0 added to the denominator.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public SparseAdamRule(double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        Beta1 = Hyperparameters.UnitInterval(beta1, nameof(beta1));
        Beta2 = Hyperparameters.UnitInterval(beta2, nameof(beta2));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateNames => Names;

    /// <inheritdoc/>
    public override bool AppliesStep => true;

    /// <inheritdoc/>
    public override bool LeavesUnlistedRows(float weightDecay) => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Apply(ref ParameterStep step)
    {
        double bc1 = 1 - Math.Pow(Beta1, step.Step), bc2 = 1 - Math.Pow(Beta2, step.Step);
        float stepSize = (float)(step.LearningRate * Math.Sqrt(bc2) / bc1);
        float a1 = 1f - Beta1, a2 = 1f - Beta2, eps = Eps;
        var p = step.Parameter;
        var g = step.Direction;
        var m = step.State(0);
        var v = step.State(1);
        for (int j = 0; j < p.Length; j++)
        {
            float gj = g[j];
            float mj = m[j] + (gj - m[j]) * a1;
            float vj = v[j] + (gj * gj - v[j]) * a2;
            m[j] = mj;
            v[j] = vj;
            p[j] -= stepSize * (mj / (MathF.Sqrt(vj) + eps));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"SparseAdam(betas ({Beta1}, {Beta2}), eps {Eps})";
}
