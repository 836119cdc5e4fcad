namespace Nabla.Training;

/// <summary>What <c>Evaluate</c> returns: the mean loss and each metric's value by name.</summary>
/// <param name="Loss">Mean loss per sample (NaN when no loss was given).</param>
/// <param name="Metrics">Metric values by <see cref="Metrics.Metric.Name"/>.</param>
public sealed record EvaluationResult(double Loss, IReadOnlyDictionary<string, double> Metrics);
