namespace Nabla.Training.Metrics;

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
