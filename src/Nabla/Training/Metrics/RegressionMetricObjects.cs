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

/// <summary>Mean squared error Σ(ŷ−y)²/n as a metric.</summary>
public sealed class MeanSquaredError : RegressionMetric
{
    /// <inheritdoc/>
    public override string Name => "mse";
    /// <inheritdoc/>
    public override bool HigherIsBetter => false;
    /// <inheritdoc/>
    public override double Result => Count == 0 ? double.NaN : SquaredError / Count;
}

/// <summary>Mean absolute error Σ|ŷ−y|/n as a metric.</summary>
public sealed class MeanAbsoluteError : RegressionMetric
{
    /// <inheritdoc/>
    public override string Name => "mae";
    /// <inheritdoc/>
    public override bool HigherIsBetter => false;
    /// <inheritdoc/>
    public override double Result => Count == 0 ? double.NaN : AbsoluteError / Count;
}

/// <summary>R² = 1 − Σ(y−ŷ)² / (Σy² − (Σy)²/n) as a metric (all elements pooled).</summary>
public sealed class R2Score : RegressionMetric
{
    /// <inheritdoc/>
    public override string Name => "r2";
    /// <inheritdoc/>
    public override double Result
    {
        get
        {
            double tot = SumActualSquared - SumActual * SumActual / Count;
            return Count == 0 || tot <= 0 ? double.NaN : 1 - SquaredError / tot;
        }
    }
}
