using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>
/// F1 of one class over tokens, for sequence labelling where one label marks events (a word
/// boundary, an entity start): precision = TP/(TP + FP), recall = TP/(TP + FN), F1 = 2PR/(P + R),
/// with each token predicted by argmax over the classes on the output's last axis and tokens whose
/// target is the ignore index skipped (layout as in <see cref="TokenAccuracy"/>).
/// </summary>
public sealed class TokenF1 : Metric
{
    /// <summary>Creates the metric for <paramref name="positiveClass"/>.</summary>
    /// <param name="positiveClass">The class whose F1 is measured.</param>
    /// <param name="ignoreIndex">Target value of tokens to skip.</param>
    public TokenF1(int positiveClass = 1, int ignoreIndex = -100)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(positiveClass);
        PositiveClass = positiveClass;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The class whose F1 is measured.</summary>
    public int PositiveClass { get; }

    /// <summary>Target value of tokens that are not counted.</summary>
    public int IgnoreIndex { get; }

    /// <summary>Tokens of the class predicted as it.</summary>
    public long TruePositives { get; private set; }

    /// <summary>Tokens of other classes predicted as the class.</summary>
    public long FalsePositives { get; private set; }

    /// <summary>Tokens of the class predicted as another.</summary>
    public long FalseNegatives { get; private set; }

    /// <inheritdoc/>
    public override string Name => "token_f1";

    /// <inheritdoc/>
    public override void Reset() => (TruePositives, FalsePositives, FalseNegatives) = (0, 0, 0);

    /// <inheritdoc/>
    public override void Update(Tensor prediction, Tensor target)
    {
        int classes = TokenAccuracy.Classes(prediction, target, "token F1");
        var p = Values(prediction);
        var t = Values(target);
        for (int i = 0; i < t.Length; i++)
        {
            int actual = (int)t[i];
            if (actual == IgnoreIndex) continue;
            bool predicted = Accuracy.ArgMax(p.Slice(i * classes, classes)) == PositiveClass;
            if (predicted && actual == PositiveClass) TruePositives++;
            else if (predicted) FalsePositives++;
            else if (actual == PositiveClass) FalseNegatives++;
        }
    }

    /// <summary>TP/(TP + FP), NaN before any positive prediction.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? double.NaN : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>TP/(TP + FN), NaN before any token of the class.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? double.NaN : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <inheritdoc/>
    public override double Result => 2 * TruePositives + FalsePositives + FalseNegatives == 0 ? double.NaN
        : 2.0 * TruePositives / (2 * TruePositives + FalsePositives + FalseNegatives);
}
