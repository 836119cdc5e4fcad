using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>
/// Fraction of samples whose true class is among the <c>k</c> highest scores of a multi-class
/// output <c>[b, C]</c>; targets are class indices <c>[b]</c>.
/// </summary>
public sealed class TopKAccuracy : Metric
{
    private long _hits;
    private long _total;

    /// <summary>Creates the metric for <paramref name="k"/> ≥ 1.</summary>
    public TopKAccuracy(int k = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        K = k;
    }

    /// <summary>How many top scores count as a hit.</summary>
    public int K { get; }

    /// <inheritdoc/>
    public override string Name => $"top{K}_accuracy";

    /// <inheritdoc/>
    public override void Reset() => (_hits, _total) = (0, 0);

    /// <inheritdoc/>
    public override void Update(Tensor prediction, Tensor target)
    {
        int rows = RowsOf(prediction);
        var p = Values(prediction);
        var t = Values(target);
        if (t.Length != rows) throw new ShapeMismatchException($"top-k accuracy: output {prediction.Shape} needs class-index targets [{rows}], got {target.Shape}");
        int classes = rows == 0 ? 1 : p.Length / rows;
        for (int i = 0; i < rows; i++)
            if (ClassificationMetrics.InTopK(p.Slice(i * classes, classes), (int)t[i], K)) _hits++;
        _total += rows;
    }

    /// <inheritdoc/>
    public override double Result => _total == 0 ? double.NaN : (double)_hits / _total;

    /// <inheritdoc/>
    public override int SummableStateLength => 2;

    /// <inheritdoc/>
    public override void WriteSummableState(Span<double> state) => (state[0], state[1]) = (_hits, _total);

    /// <inheritdoc/>
    public override void ReadSummableState(ReadOnlySpan<double> state) => (_hits, _total) = ((long)state[0], (long)state[1]);
}
