using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>
/// Fraction of tokens (sequence positions) classified correctly, for sequence labelling: outputs
/// carry the classes on their last axis (<c>[N, T, C]</c> as a dense head over a recurrent layer's
/// sequence gives, or <c>[N·T, C]</c>), targets hold one class index per token (<c>[N, T]</c> or
/// <c>[N·T]</c>), and tokens whose target is the ignore index (padding; −100 by default, as in
/// <c>CrossEntropyLoss</c>) are not counted.
/// </summary>
public sealed class TokenAccuracy : Metric
{
    private long _correct;
    private long _total;

    /// <summary>Creates the metric.</summary>
    /// <param name="ignoreIndex">Target value of tokens to skip.</param>
    public TokenAccuracy(int ignoreIndex = -100) => IgnoreIndex = ignoreIndex;

    /// <summary>Target value of tokens that are not counted.</summary>
    public int IgnoreIndex { get; }

    /// <inheritdoc/>
    public override string Name => "token_accuracy";

    /// <inheritdoc/>
    public override void Reset() => (_correct, _total) = (0, 0);

    /// <inheritdoc/>
    public override void Update(Tensor prediction, Tensor target)
    {
        int classes = Classes(prediction, target, "token accuracy");
        var p = Values(prediction);
        var t = Values(target);
        for (int i = 0; i < t.Length; i++)
        {
            int actual = (int)t[i];
            if (actual == IgnoreIndex) continue;
            _total++;
            if (Accuracy.ArgMax(p.Slice(i * classes, classes)) == actual) _correct++;
        }
    }

    /// <inheritdoc/>
    public override double Result => _total == 0 ? double.NaN : (double)_correct / _total;

    /// <summary>C, the size of the output's last axis, after checking that there is one target per token.</summary>
    /// <exception cref="ShapeMismatchException">The shapes do not pair one target with each row of C scores.</exception>
    internal static int Classes(Tensor prediction, Tensor target, string metric)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        int classes = prediction.Rank == 0 ? 1 : prediction.Shape[-1];
        if (classes < 2 || (long)target.Numel * classes != prediction.Numel)
            throw new ShapeMismatchException($"{metric}: output {prediction.Shape} needs classes on its last axis and one target per token ({prediction.Numel / Math.Max(classes, 1)} targets), got target shape {target.Shape}");
        return classes;
    }
}
