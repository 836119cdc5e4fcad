using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// One loss per output of a several-output model, weighted and summed (Keras' <c>loss=[…], loss_weights=[…]</c>):
/// L = Σₖ wₖ · Lₖ(ŷₖ, y). Every output is compared with the same targets — the auxiliary heads of multi-level
/// supervision predict the main head's labels. <c>Fit</c>, <c>Evaluate</c> and <c>TrainingStep</c> use it with a
/// <see cref="FunctionalModel"/>'s <see cref="FunctionalModel.ForwardAll"/>, log each output's own loss as
/// <c>output_k_loss</c>, and give metrics the first (main) output.
/// </summary>
/// <example><code>
/// var loss = new MultiOutputLoss([new CrossEntropyLoss(), new CrossEntropyLoss()], [1f, 0.3f]);   // main, auxiliary
/// model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), loss, epochs: 10);
/// </code></example>
public sealed class MultiOutputLoss : Loss
{
    private readonly Loss[] _losses;
    private readonly float[] _weights;
    private readonly float[] _last;

    /// <summary>Output k is scored by <paramref name="losses"/>[k] with weight <paramref name="weights"/>[k] (all 1 when null).</summary>
    /// <exception cref="ArgumentException">No losses, a loss without reduction, counts that differ, or a weight that is negative or not finite.</exception>
    public MultiOutputLoss(IReadOnlyList<Loss> losses, IReadOnlyList<float>? weights = null)
        : base(CheckReduction(losses))
    {
        _losses = [.. losses];
        _weights = weights is null ? [.. Enumerable.Repeat(1f, _losses.Length)] : [.. weights];
        if (_weights.Length != _losses.Length)
            throw new ArgumentException($"{_weights.Length} loss weights for {_losses.Length} losses", nameof(weights));
        foreach (var w in _weights)
            if (!(w >= 0) || !float.IsFinite(w)) throw new ArgumentException($"loss weights must be finite and ≥ 0, got {w}", nameof(weights));
        _last = new float[_losses.Length];
    }

    /// <summary>The loss of each output, in output order.</summary>
    public IReadOnlyList<Loss> Losses => _losses;

    /// <summary>The weight of each output's loss.</summary>
    public IReadOnlyList<float> Weights => _weights;

    /// <summary>Each output's own (unweighted) loss value from the last <see cref="Forward(IReadOnlyList{Tensor}, Tensor)"/>.</summary>
    public ReadOnlySpan<float> LastValues => _last;

    /// <summary>Σₖ wₖ · Lₖ(<paramref name="outputs"/>[k], <paramref name="target"/>), a scalar.</summary>
    /// <exception cref="ArgumentException">The number of outputs differs from the number of losses.</exception>
    public Tensor Forward(IReadOnlyList<Tensor> outputs, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(target);
        if (outputs.Count != _losses.Length)
            throw new ArgumentException($"the model has {outputs.Count} output(s) and the loss {_losses.Length} loss(es)", nameof(outputs));
        Tensor? total = null;
        for (int k = 0; k < _losses.Length; k++)
        {
            var l = _losses[k].Forward(outputs[k], target);
            if (l.Numel != 1)
                throw new ShapeMismatchException($"output {k}'s loss must be a scalar, got shape {l.Shape}");
            _last[k] = l.Item();
            if (_weights[k] == 0) continue; // a monitored output that does not train
            var weighted = _weights[k] == 1 ? l : l * _weights[k];
            total = total is null ? weighted : total + weighted;
        }
        return total ?? _losses[0].Forward(outputs[0], target) * 0f;
    }

    /// <summary>Refused: the loss needs every output of the model, <see cref="Forward(IReadOnlyList{Tensor}, Tensor)"/>.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override Tensor Forward(Tensor prediction, Tensor target) =>
        throw new InvalidOperationException("MultiOutputLoss scores every output of a model: pass FunctionalModel.ForwardAll's outputs (Fit and Evaluate do so for a FunctionalModel)");

    private static Reduction CheckReduction(IReadOnlyList<Loss> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count == 0) throw new ArgumentException("a multi-output loss needs at least one loss", nameof(losses));
        foreach (var l in losses)
        {
            ArgumentNullException.ThrowIfNull(l, nameof(losses));
            if (l.Reduction == Reduction.None) throw new ArgumentException("every loss of a multi-output loss must be reduced (Mean or Sum)", nameof(losses));
            if (l.Reduction != losses[0].Reduction) throw new ArgumentException("the losses of a multi-output loss must share one reduction (Mean or Sum)", nameof(losses));
        }
        return losses[0].Reduction;
    }
}
