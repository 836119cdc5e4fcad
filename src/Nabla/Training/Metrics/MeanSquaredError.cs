namespace Nabla.Training.Metrics;

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
