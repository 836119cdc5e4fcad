using Nabla.Autograd;
using Nabla.Nn.Losses;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// The error of the backpropagation lectures, E = Σ ½(target − out)² summed over outputs and
/// samples, whose gradient is simply ∂E/∂out = out − target. It is half of
/// <see cref="MSELoss"/> with <see cref="Reduction.Sum"/>; <see cref="StepTrace"/> and the lecture's
/// example use it so the numbers match the hand calculation.
/// </summary>
public sealed class HalfSquaredErrorLoss : Loss
{
    /// <summary>Creates the loss (always summed).</summary>
    public HalfSquaredErrorLoss() : base(Reduction.Sum) { }

    /// <inheritdoc/>
    /// <exception cref="ShapeMismatchException">Prediction and target shapes differ.</exception>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Shape != target.Shape)
            throw new ShapeMismatchException($"{nameof(HalfSquaredErrorLoss)}: prediction shape {prediction.Shape} and target shape {target.Shape} must be equal");
        return (target - prediction).Square().Sum() * 0.5f;
    }
}
