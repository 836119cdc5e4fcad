namespace Nabla.Training.Metrics;

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
