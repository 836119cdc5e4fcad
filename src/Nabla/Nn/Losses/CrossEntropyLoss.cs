using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Cross-entropy from logits, like <c>torch.nn.CrossEntropyLoss</c>, computed by one fused,
/// max-shifted softmax pass (no separate log-softmax, gather and mean nodes).
/// </summary>
/// <remarks>
/// <para>Prediction: logits x [N, C]. Target: either class indices t [N] (a float tensor of whole
/// numbers in [0, C)) or class probabilities [N, C] (same shape as the logits).</para>
/// <para>With class weights w (default all ones) and label smoothing ε (default 0), the target
/// distribution is q = (1 − ε)·target + ε/C and the row loss is
/// ℓᵣ = Σ_c w_c·q_rc·(−log softmax(xᵣ)_c). For index targets the mean divides Σᵣ ℓᵣ by Σᵣ w[tᵣ]
/// (PyTorch's weighted mean); for probability targets it divides by N.</para>
/// </remarks>
public sealed class CrossEntropyLoss : Loss
{
    private readonly Tensor? _weight;

    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Optional per-class weights w [C]; null means all ones.</param>
    /// <param name="reduction">How the row losses are combined.</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the share of the target mass spread uniformly over the classes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    public CrossEntropyLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f) : base(reduction)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"label smoothing must be in [0, 1], got {labelSmoothing}");
        if (weight is not null && weight.Rank != 1)
            throw new ShapeMismatchException($"CrossEntropyLoss: class weight must be one-dimensional [C], got shape {weight.Shape}");
        _weight = weight;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The class weights, or null.</summary>
    public Tensor? Weight => _weight;

    /// <summary>The label smoothing ε.</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">An index target is not a whole number in [0, C); names the row.</exception>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        bool indexTargets = target.Rank == 1;
        if (indexTargets)
        {
            LossSupport.CheckIndexTargets(nameof(CrossEntropyLoss), prediction, target, _weight);
        }
        else
        {
            if (prediction.Rank != 2)
                throw new ShapeMismatchException($"CrossEntropyLoss: prediction must be [N, C], got shape {prediction.Shape} (target shape {target.Shape})");
            LossSupport.SameShape(nameof(CrossEntropyLoss), prediction, target);
            LossSupport.CheckWeight(nameof(CrossEntropyLoss), prediction, _weight);
        }

        return SoftmaxCrossEntropyOp.Apply(prediction, target, indexTargets, _weight, LabelSmoothing, Reduction);
    }
}
