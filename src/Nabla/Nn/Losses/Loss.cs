using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>How a loss turns per-element (or per-sample) losses into its result.</summary>
public enum Reduction
{
    /// <summary>The mean over samples (or elements), PyTorch's default.</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: one loss per sample (or element).</summary>
    None,
}

/// <summary>
/// Base class of loss functions: <c>Forward(prediction, target)</c> returns a differentiable
/// tensor (a scalar unless <see cref="Reduction.None"/>).
/// </summary>
public abstract class Loss
{
    /// <summary>Creates a loss with the given reduction.</summary>
    protected Loss(Reduction reduction = Reduction.Mean) => Reduction = reduction;

    /// <summary>How per-sample losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes do not fit; the message names both.</exception>
    public abstract Tensor Forward(Tensor prediction, Tensor target);
}
