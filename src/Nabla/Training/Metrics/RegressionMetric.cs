using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>Accumulates Σ(ŷ−y)², Σ|ŷ−y|, Σy, Σy² and n over batches (all elements pooled) for the regression metrics.</summary>
public abstract class RegressionMetric : Metric
{
    /// <summary>Elements seen.</summary>
    protected long Count { get; private set; }
    /// <summary>Σ(ŷ−y)².</summary>
    protected double SquaredError { get; private set; }
    /// <summary>Σ|ŷ−y|.</summary>
    protected double AbsoluteError { get; private set; }
    /// <summary>Σy.</summary>
    protected double SumActual { get; private set; }
    /// <summary>Σy².</summary>
    protected double SumActualSquared { get; private set; }

    /// <inheritdoc/>
    public override void Reset() => (Count, SquaredError, AbsoluteError, SumActual, SumActualSquared) = (0, 0, 0, 0, 0);

    /// <inheritdoc/>
    public override int SummableStateLength => 5;

    /// <inheritdoc/>
    public override void WriteSummableState(Span<double> state) =>
        (state[0], state[1], state[2], state[3], state[4]) = (Count, SquaredError, AbsoluteError, SumActual, SumActualSquared);

    /// <inheritdoc/>
    public override void ReadSummableState(ReadOnlySpan<double> state) =>
        (Count, SquaredError, AbsoluteError, SumActual, SumActualSquared) = ((long)state[0], state[1], state[2], state[3], state[4]);

    /// <inheritdoc/>
    public override void Update(Tensor prediction, Tensor target)
    {
        var p = Values(prediction);
        var t = Values(target);
        if (p.Length != t.Length) throw new ShapeMismatchException($"{Name}: output {prediction.Shape} and target {target.Shape} differ in size");
        double se = 0, ae = 0, s = 0, s2 = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double d = (double)p[i] - t[i];
            se += d * d;
            ae += Math.Abs(d);
            s += t[i];
            s2 += (double)t[i] * t[i];
        }
        Count += p.Length;
        SquaredError += se;
        AbsoluteError += ae;
        SumActual += s;
        SumActualSquared += s2;
    }
}
