using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Binary cross-entropy on probabilities, like <c>torch.nn.BCELoss</c>:
/// ℓᵢ = −[tᵢ·ln p̃ᵢ + (1 − tᵢ)·ln(1 − p̃ᵢ)] with p̃ = clamp(p, ε, 1 − ε), ε = <see cref="Epsilon"/> = 1e-7.
/// </summary>
/// <remarks>
/// The clamp keeps ln finite for saturated probabilities (PyTorch instead clamps each ln at −100);
/// the two agree whenever ε ≤ p ≤ 1 − ε. Outside that range the clamp makes the gradient zero, so
/// prefer <see cref="BCEWithLogitsLoss"/> on logits, which is exact and stable everywhere.
/// Targets may be any values in [0, 1] and receive gradients too.
/// </remarks>
/// <param name="reduction">How the element losses are combined.</param>
public sealed class BCELoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <summary>The clamp ε applied to probabilities before taking logarithms.</summary>
    public const float Epsilon = 1e-7f;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossSupport.SameShape(nameof(BCELoss), prediction, target);
        var p = prediction.Clamp(Epsilon, 1f - Epsilon);
        var perElement = -(target * p.Log() + (1f - target) * (1f - p).Log());
        return LossSupport.Reduce(perElement, Reduction);
    }
}
