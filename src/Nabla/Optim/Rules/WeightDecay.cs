using Nabla.Kernels;

namespace Nabla.Optim.Rules;

/// <summary>
/// Coupled weight decay (L2), as <c>torch.optim</c>'s <c>weight_decay</c> in SGD, Adagrad,
/// RMSprop and Adam: d ← d + λ·p, with λ the group's weight decay (nothing when λ = 0). It
/// equals the gradient of the penalty (λ/2)·Σp², so adaptive rules after it rescale the decay too;
/// see <see cref="DecoupledWeightDecay"/> for AdamW's form.
/// </summary>
public sealed class WeightDecay : UpdateRule
{
    /// <inheritdoc/>
    public override bool UsesWeightDecay => true;

    /// <inheritdoc/>
    public override bool LeavesUnlistedRows(float weightDecay) => weightDecay == 0f;

    /// <inheritdoc/>
    public override void Apply(ref ParameterStep step)
    {
        float lambda = step.WeightDecay;
        if (lambda == 0f) return;
        var g = step.Direction;
        Primitives.MultiplyAdd(step.Parameter, lambda, g, step.NewDirection());
    }
}
