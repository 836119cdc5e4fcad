using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>
/// Fraction of samples classified correctly. Multi-class outputs <c>[b, C]</c> (logits or
/// probabilities) are classified by argmax and compared with class-index targets <c>[b]</c>/<c>[b, 1]</c>
/// or one-hot targets <c>[b, C]</c>; single-column outputs <c>[b]</c>/<c>[b, 1]</c> are binary:
/// predicted 1 when <c>output ≥ threshold</c> (0.5 for probabilities, 0 for logits).
/// </summary>
public sealed class Accuracy : Metric
{
    private long _correct;
    private long _total;

    /// <summary>Creates the metric; <paramref name="threshold"/> is used for single-column (binary) outputs.</summary>
    public Accuracy(double threshold = 0.5) => Threshold = (float)threshold;

    /// <summary>Decision threshold of binary outputs.</summary>
    public float Threshold { get; }

    /// <inheritdoc/>
    public override string Name => "accuracy";

    /// <inheritdoc/>
    public override void Reset() => (_correct, _total) = (0, 0);

    /// <inheritdoc/>
    public override void Update(Tensor prediction, Tensor target)
    {
        var (correct, total) = Count(prediction, target, Threshold);
        _correct += correct;
        _total += total;
    }

    /// <inheritdoc/>
    public override double Result => _total == 0 ? double.NaN : (double)_correct / _total;

    /// <inheritdoc/>
    public override int SummableStateLength => 2;

    /// <inheritdoc/>
    public override void WriteSummableState(Span<double> state) => (state[0], state[1]) = (_correct, _total);

    /// <inheritdoc/>
    public override void ReadSummableState(ReadOnlySpan<double> state) => (_correct, _total) = ((long)state[0], (long)state[1]);

    /// <summary>(correct, total) for one batch; shared with the progress figures.</summary>
    /// <exception cref="ShapeMismatchException">The target does not match the prediction's rows or classes.</exception>
    internal static (int Correct, int Total) Count(Tensor prediction, Tensor target, float threshold)
    {
        int rows = RowsOf(prediction);
        var p = Values(prediction);
        var t = Values(target);
        int classes = rows == 0 ? 1 : p.Length / rows;
        int correct = 0;
        if (classes == 1)
        {
            if (t.Length != rows) throw new ShapeMismatchException($"accuracy: binary output {prediction.Shape} needs {rows} targets, got {target.Shape}");
            for (int i = 0; i < rows; i++)
                if ((p[i] >= threshold) == (t[i] >= 0.5f)) correct++;
            return (correct, rows);
        }
        bool oneHot = t.Length == rows * classes;
        if (!oneHot && t.Length != rows)
            throw new ShapeMismatchException($"accuracy: output {prediction.Shape} needs class-index targets [{rows}] or one-hot [{rows}, {classes}], got {target.Shape}");
        for (int i = 0; i < rows; i++)
        {
            int predicted = ArgMax(p.Slice(i * classes, classes));
            int actual = oneHot ? ArgMax(t.Slice(i * classes, classes)) : (int)t[i];
            if (predicted == actual) correct++;
        }
        return (correct, rows);
    }

    /// <summary>Index of the largest value (the first on ties).</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }
}
