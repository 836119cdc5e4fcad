using System.Runtime.CompilerServices;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Negative log-likelihood on log-probabilities, like <c>torch.nn.NLLLoss</c>: for input x [N, C]
/// (e.g. from <c>LogSoftmax(1)</c>) and class indices t [N] (a float tensor of whole numbers),
/// ℓᵣ = −w[tᵣ]·x[r, tᵣ]. Mean divides Σᵣ ℓᵣ by Σᵣ w[tᵣ] (by N without weights).
/// </summary>
public sealed class NLLLoss : Loss
{
    private readonly Tensor? _weight;

    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Optional per-class weights w [C]; null means all ones.</param>
    /// <param name="reduction">How the row losses are combined.</param>
    public NLLLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        if (weight is not null && weight.Rank != 1)
            throw new ShapeMismatchException($"NLLLoss: class weight must be one-dimensional [C], got shape {weight.Shape}");
        _weight = weight?.Detach();
    }

    /// <summary>The class weights, or null.</summary>
    public Tensor? Weight => _weight;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A target is not a whole number in [0, C); names the row.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossSupport.CheckIndexTargets(nameof(NLLLoss), prediction, target, _weight);
        int n = prediction.Shape[0], c = prediction.Shape[1];
        var t = target.Contiguous().AsSpan();
        for (int r = 0; r < n; r++) LossSupport.ClassIndex(nameof(NLLLoss), t, r, c);

        var picked = prediction.Gather(1, target.Detach().Reshape(n, 1)).Reshape(n);
        if (_weight is null)
            return LossSupport.Reduce(-picked, Reduction);
        var w = _weight.IndexSelect(0, target.Detach());
        var perRow = -(picked * w);
        return Reduction switch
        {
            Reduction.Mean => perRow.Sum() / w.Sum(),
            Reduction.Sum => perRow.Sum(),
            _ => perRow,
        };
    }
}
