using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// A loss plus weight penalties, so L1/L2 regularization works with any <c>Fit</c> without changing
/// it: <c>L = inner(ŷ, y) + λ₁ Σ|w| + λ₂ Σw²</c> over <paramref name="parameters"/>, usually the
/// model's weights: <c>new RegularizedLoss(loss, model, l1, l2)</c> penalizes the parameters
/// registered as <see cref="ParameterRole.Weight"/> (dense and convolution weights), never biases or
/// BatchNorm's γ and β.
/// </summary>
/// <param name="inner">The data loss (reduction Mean or Sum).</param>
/// <param name="parameters">The penalised tensors.</param>
/// <param name="l1">λ₁ ≥ 0.</param>
/// <param name="l2">λ₂ ≥ 0.</param>
public sealed class RegularizedLoss(Loss inner, IEnumerable<Tensor> parameters, double l1, double l2) : Loss(CheckInner(inner).Reduction)
{
    private readonly Tensor[] _parameters = [.. parameters ?? throw new ArgumentNullException(nameof(parameters))];

    /// <summary>Penalizes <paramref name="model"/>'s weights (<see cref="ParameterRole.Weight"/>).</summary>
    /// <param name="inner">The data loss (reduction Mean or Sum).</param>
    /// <param name="model">The model whose weights are penalized.</param>
    /// <param name="l1">λ₁ ≥ 0.</param>
    /// <param name="l2">λ₂ ≥ 0.</param>
    public RegularizedLoss(Loss inner, Module model, double l1, double l2)
        : this(inner, (model ?? throw new ArgumentNullException(nameof(model))).Parameters(ParameterRole.Weight), l1, l2) { }

    /// <summary>The data loss.</summary>
    public Loss Inner { get; } = inner;

    /// <summary>λ₁.</summary>
    public float L1 { get; } = (float)l1 is var l1f && l1f >= 0 && float.IsFinite(l1f) ? l1f : throw new ArgumentOutOfRangeException(nameof(l1), $"l1 must be a finite number ≥ 0, got {l1}");

    /// <summary>λ₂.</summary>
    public float L2 { get; } = (float)l2 is var l2f && l2f >= 0 && float.IsFinite(l2f) ? l2f : throw new ArgumentOutOfRangeException(nameof(l2), $"l2 must be a finite number ≥ 0, got {l2}");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        var loss = Inner.Forward(prediction, target);
        // The penalty is part of what is minimised; evaluation (no grad) reports the data loss alone,
        // so validation and test losses stay comparable with unregularized runs.
        if (!GradMode.IsEnabled) return loss;
        if (L1 > 0) loss = loss + Regularization.L1(_parameters, L1);
        if (L2 > 0) loss = loss + Regularization.L2(_parameters, L2);
        return loss;
    }

    private static Loss CheckInner(Loss inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (inner.Reduction == Reduction.None) throw new ArgumentException("a regularized loss needs a reduced inner loss (Mean or Sum)", nameof(inner));
        return inner;
    }
}
