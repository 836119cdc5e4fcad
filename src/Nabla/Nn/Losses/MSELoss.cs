using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Mean squared error, like <c>torch.nn.MSELoss</c>: ℓᵢ = (predictionᵢ − targetᵢ)², reduced by
/// mean (default), sum, or not at all. Prediction and target must have the same shape.
/// </summary>
/// <param name="reduction">How the element losses are combined.</param>
public sealed class MSELoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossSupport.SameShape(nameof(MSELoss), prediction, target);
        return LossSupport.Reduce((prediction - target).Square(), Reduction);
    }
}
