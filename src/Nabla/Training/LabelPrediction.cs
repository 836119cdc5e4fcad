using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>Label predictions on top of <see cref="ModelTraining.Predict(Module, Tensor, int, CancellationToken)"/>.</summary>
public static class LabelPrediction
{
    /// <summary>
    /// 0/1 labels for binary or multi-label models (<c>output ≥ θ</c> with tuned
    /// <paramref name="thresholds"/>, or θ = 0.5 when null).
    /// </summary>
    public static Tensor PredictLabels(this Module model, Tensor x, DecisionThresholds? thresholds = null, int batchSize = FitDefaults.BatchSize) =>
        (thresholds ?? new DecisionThresholds(0.5f)).Apply(model.Predict(x, batchSize));

    /// <summary>Class indices <c>[N]</c> (as floats) of a multi-class model: the argmax of each output row.</summary>
    public static Tensor PredictClasses(this Module model, Tensor x, int batchSize = FitDefaults.BatchSize)
    {
        var classes = Metrics.ClassificationMetrics.PredictedClasses(model.Predict(x, batchSize));
        return Tensor.FromArray([.. classes.Select(c => (float)c)], classes.Length);
    }
}
