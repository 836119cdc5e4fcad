using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Binary cross-entropy on logits, like <c>torch.nn.BCEWithLogitsLoss</c>, as one fused op that is
/// stable for any logit: ℓᵢ = (1 − tᵢ)·xᵢ + wᵢ·softplus(−xᵢ), wᵢ = 1 + (pos_weight − 1)·tᵢ,
/// softplus(−x) = max(−x, 0) + ln(1 + e^(−|x|)). Without <c>posWeight</c> this is
/// max(x, 0) − x·t + ln(1 + e^(−|x|)).
/// </summary>
public sealed class BCEWithLogitsLoss : Loss
{
    private readonly Tensor? _posWeight;

    /// <summary>Creates the loss.</summary>
    /// <param name="posWeight">Optional weight of positive examples per class, shape [C] matching the last axis of the logits (or [1]); null means 1.</param>
    /// <param name="reduction">How the element losses are combined.</param>
    public BCEWithLogitsLoss(Tensor? posWeight = null, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        if (posWeight is not null && posWeight.Rank != 1)
            throw new ShapeMismatchException($"BCEWithLogitsLoss: posWeight must be one-dimensional [C], got shape {posWeight.Shape}");
        _posWeight = posWeight;
    }

    /// <summary>The positive-class weights, or null.</summary>
    public Tensor? PosWeight => _posWeight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossSupport.SameShape(nameof(BCEWithLogitsLoss), prediction, target);
        if (_posWeight is not null)
        {
            int last = prediction.Rank == 0 ? 1 : prediction.Shape[-1];
            if (_posWeight.Shape[0] != last && _posWeight.Shape[0] != 1)
                throw new ShapeMismatchException($"BCEWithLogitsLoss: posWeight shape {_posWeight.Shape} does not fit the last axis of prediction shape {prediction.Shape}");
        }

        return BinaryCrossEntropyWithLogitsOp.Apply(prediction, target, _posWeight, Reduction);
    }
}
