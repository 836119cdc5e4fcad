using Nabla.Tensors;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

public class MetricsTests
{
    // actual:    0 0 0 1 1 2 2 2 2 1
    // predicted: 0 1 0 1 2 2 2 0 2 1
    private static readonly int[] Actual = [0, 0, 0, 1, 1, 2, 2, 2, 2, 1];
    private static readonly int[] Predicted = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1];

    [Fact]
    public void Confusion_matrix_counts_pairs_and_gives_hand_computed_precision_recall_f1()
    {
        var m = ConfusionMatrix.FromLabels(Actual, Predicted, 3);
        Assert.Equal(new long[,] { { 2, 1, 0 }, { 0, 2, 1 }, { 1, 0, 3 } }, m.ToArray());
        // class 0: TP 2, FP 1, FN 1; class 1: TP 2, FP 1, FN 1; class 2: TP 3, FP 1, FN 1
        Assert.Equal(2.0 / 3, m.Precision(0), 12);
        Assert.Equal(2.0 / 3, m.Recall(1), 12);
        Assert.Equal(6.0 / 8, m.F1(2), 12);
        Assert.Equal((2.0 / 3 + 2.0 / 3 + 0.75) / 3, m.MacroF1(), 12);
        Assert.Equal(0.7, m.MicroF1(), 12);
        Assert.Equal(0.7, m.Accuracy(), 12);
    }

    [Fact]
    public void A_class_never_predicted_nor_present_has_zero_f1_not_nan()
    {
        var m = ConfusionMatrix.FromLabels([0, 1], [0, 1], 3);
        Assert.Equal(0, m.F1(2));
        Assert.Equal(2.0 / 3, m.MacroF1(), 12);
    }

    [Fact]
    public void Accuracy_uses_argmax_for_scores_and_threshold_for_binary_outputs()
    {
        var scores = Tensor.FromArray([0.1f, 0.9f, 0f, 2f, 1f, 0f, 0f, 0f, 5f, 1f, 2f, 3f], 4, 3);
        var targets = Tensor.FromArray([1f, 0f, 2f, 0f], 4);
        Assert.Equal(0.75, ClassificationMetrics.Accuracy(scores, targets), 12);
        Assert.Equal(0.75, ClassificationMetrics.Accuracy(scores, Tensor.FromArray([0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0], 4, 3)), 12);
        var metric = new Accuracy(threshold: 0f);
        metric.Update(Tensor.FromArray([-1f, 0.5f, 2f], 3, 1), Tensor.FromArray([0f, 0f, 1f], 3));
        Assert.Equal(2.0 / 3, metric.Result, 12);
    }

    [Fact]
    public void Top_k_accuracy_counts_the_true_class_among_the_k_highest_scores()
    {
        var scores = Tensor.FromArray([0.5f, 0.3f, 0.2f, 0.1f, 0.2f, 0.7f, 0.3f, 0.3f, 0.4f], 3, 3);
        var targets = Tensor.FromArray([1f, 0f, 2f], 3);
        Assert.Equal(1.0 / 3, ClassificationMetrics.TopKAccuracy(scores, targets, 1), 12);
        Assert.Equal(2.0 / 3, ClassificationMetrics.TopKAccuracy(scores, targets, 2), 12);
        var metric = new TopKAccuracy(3);
        metric.Update(scores, targets);
        Assert.Equal(1.0, metric.Result);
    }

    [Fact]
    public void F1_metric_accumulated_over_batches_equals_the_one_of_all_data()
    {
        var f1 = new F1Score(3);
        var onehot = (int c) => Enumerable.Range(0, 3).Select(j => j == c ? 1f : 0f);
        var p1 = Tensor.FromArray([.. Predicted[..4].SelectMany(onehot)], 4, 3);
        var p2 = Tensor.FromArray([.. Predicted[4..].SelectMany(onehot)], 6, 3);
        f1.Update(p1, Tensor.FromArray([.. Actual[..4].Select(a => (float)a)], 4));
        f1.Update(p2, Tensor.FromArray([.. Actual[4..].Select(a => (float)a)], 6));
        Assert.Equal(ConfusionMatrix.FromLabels(Actual, Predicted, 3).MacroF1(), f1.Result, 12);
    }

    [Fact]
    public void Multi_label_metrics_match_hand_computed_values()
    {
        var actual = Tensor.FromArray([1, 0, 1, 0, 1, 0, 1, 1, 0], 3, 3);
        var predicted = Tensor.FromArray([1, 0, 1, 1, 1, 0, 0, 1, 1], 3, 3);
        Assert.Equal(1.0 / 3, MultiLabelMetrics.SubsetAccuracy(actual, predicted), 12);
        Assert.Equal(3.0 / 9, MultiLabelMetrics.HammingLoss(actual, predicted), 12);
        // pooled TP 4, FP 2, FN 1 → 8/11
        Assert.Equal(8.0 / 11, MultiLabelMetrics.MicroF1(actual, predicted), 12);
        // label 0: TP1 FP1 FN1 → 0.5; label 1: TP2 FP0 FN0 → 1; label 2: TP1 FP1 FN0 → 2/3
        Assert.Equal((0.5 + 1 + 2.0 / 3) / 3, MultiLabelMetrics.MacroF1(actual, predicted), 12);
    }

    [Fact]
    public void Regression_metrics_match_hand_computed_values_and_accumulate_over_batches()
    {
        var y = Tensor.FromArray([3f, -0.5f, 2f, 7f], 4);
        var p = Tensor.FromArray([2.5f, 0f, 2f, 8f], 4);
        Assert.Equal(0.375, RegressionMetrics.MeanSquaredError(p, y), 6);
        Assert.Equal(0.5, RegressionMetrics.MeanAbsoluteError(p, y), 6);
        Assert.Equal(0.9486081370449679, RegressionMetrics.R2(p, y), 6); // scikit-learn's r2_score example
        var r2 = new R2Score();
        r2.Update(Tensor.FromArray([2.5f, 0f], 2), Tensor.FromArray([3f, -0.5f], 2));
        r2.Update(Tensor.FromArray([2f, 8f], 2), Tensor.FromArray([2f, 7f], 2));
        Assert.Equal(0.9486081370449679, r2.Result, 6);
        var mse = new MeanSquaredError();
        mse.Update(p, y);
        Assert.Equal(0.375, mse.Result, 6);
        Assert.False(mse.HigherIsBetter);
    }
}
