using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// Decoupled weight decay (Loshchilov &amp; Hutter), as <c>torch.optim.AdamW</c>: the parameter
/// shrinks directly, p ← p·(1 − η·λ), with η and λ the group's; the direction is unchanged.
/// Put it before the rule that takes the step, as PyTorch decays before the Adam update.
/// </summary>
public sealed class DecoupledWeightDecay : UpdateRule
{
    /// <inheritdoc/>
    public override bool UsesWeightDecay => true;

    /// <inheritdoc/>
    public override bool LeavesUnlistedRows(float weightDecay) => weightDecay == 0f;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step)
    {
        if (step.WeightDecay == 0f) return;
        var p = step.Parameter;
        Primitives.Multiply(p, 1f - step.LearningRate * step.WeightDecay, p);
    }
}
