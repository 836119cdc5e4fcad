using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Cross-entropy from logits, like <c>torch.nn.CrossEntropyLoss</c>, computed by one fused,
/// max-shifted softmax pass (no separate log-softmax, gather and mean nodes).
/// </summary>
/// <remarks>
/// <para>Prediction: logits x [N, C], or [N, C, d₁, …] for per-position classes (PyTorch's
/// K-dimensional form: sequence labelling uses [N, C, T]; logits laid out [N, T, C] are reshaped to
/// [N·T, C] for free). Target: either class indices t [N] / [N, d₁, …] (a float tensor of whole
/// numbers in [0, C), or <see cref="IgnoreIndex"/>) or class probabilities of the prediction's shape.</para>
/// <para>Positions whose index target equals <see cref="IgnoreIndex"/> (−100 by default, as in
/// PyTorch — e.g. the padding of variable-length sequences) contribute no loss and no gradient and
/// are left out of the mean's denominator; with reduction None their loss is 0. If every position
/// is ignored the mean is NaN, as in PyTorch.</para>
/// <para>With class weights w (default all ones) and label smoothing ε (default 0), the target
/// distribution is q = (1 − ε)·target + ε/C and the row loss is
/// ℓᵣ = Σ_c w_c·q_rc·(−log softmax(xᵣ)_c). For index targets the mean divides Σᵣ ℓᵣ by Σᵣ w[tᵣ]
/// (PyTorch's weighted mean); for probability targets it divides by N.</para>
/// </remarks>
public sealed class CrossEntropyLoss : Loss
{
    /// <summary>PyTorch's default <c>ignore_index</c>.</summary>
    public const int DefaultIgnoreIndex = -100;

    private readonly Tensor? _weight;

    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Optional per-class weights w [C]; null means all ones.</param>
    /// <param name="reduction">How the row losses are combined.</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the share of the target mass spread uniformly over the classes.</param>
    /// <param name="ignoreIndex">Index targets with this value are skipped (PyTorch's <c>ignore_index</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    public CrossEntropyLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, double labelSmoothing = 0, int ignoreIndex = DefaultIgnoreIndex) : base(reduction)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"label smoothing must be in [0, 1], got {labelSmoothing}");
        if (weight is not null && weight.Rank != 1)
            throw new ShapeMismatchException($"CrossEntropyLoss: class weight must be one-dimensional [C], got shape {weight.Shape}");
        _weight = weight;
        LabelSmoothing = (float)labelSmoothing;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The class weights, or null.</summary>
    public Tensor? Weight => _weight;

    /// <summary>The label smoothing ε.</summary>
    public float LabelSmoothing { get; }

    /// <summary>The index target that marks a position to skip (−100 by default).</summary>
    public int IgnoreIndex { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">An index target is neither a whole number in [0, C) nor the ignore index; names the row.</exception>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Rank > 2) return PerPosition(prediction, target);
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

        return SoftmaxCrossEntropyOp.Apply(prediction, target, indexTargets, _weight, LabelSmoothing, Reduction, IgnoreIndex);
    }

    // [N, C, d₁, …]: the class axis moves last (one recorded copy) so every position is a row of
    // the fused [M, C] loss; reduction None gives the losses back as [N, d₁, …].
    private Tensor PerPosition(Tensor prediction, Tensor target)
    {
        var positions = prediction.Shape.Without(1);
        int c = prediction.Shape[1], m = positions.Numel;
        bool indexTargets = target.Shape == positions;
        if (!indexTargets && target.Shape != prediction.Shape)
            throw new ShapeMismatchException($"CrossEntropyLoss: for prediction {prediction.Shape} ([N, C, d1, ...]) the target must be class indices {positions} or probabilities {prediction.Shape}, got shape {target.Shape}");
        Span<int> order = stackalloc int[prediction.Rank];
        order[0] = 0;
        for (int i = 1; i < prediction.Rank - 1; i++) order[i] = i + 1;
        order[^1] = 1;
        var rows = prediction.Permute(order).Reshape(new Shape(m, c));
        var rowTargets = indexTargets ? target.Reshape(new Shape(m)) : target.Permute(order).Reshape(new Shape(m, c));
        var loss = Forward(rows, rowTargets);
        return Reduction == Reduction.None ? loss.Reshape(positions) : loss;
    }
}
