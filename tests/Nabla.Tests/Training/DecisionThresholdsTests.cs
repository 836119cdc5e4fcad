using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

public class DecisionThresholdsTests
{
    private static double F1At(float[] scores, float[] labels, float theta)
    {
        var predicted = new DecisionThresholds(theta).Apply(Tensor.FromArray(scores, scores.Length, 1));
        return MultiLabelMetrics.MicroF1(Tensor.FromArray(labels, labels.Length, 1), predicted);
    }

    [Fact]
    public void Tuned_threshold_gives_at_least_the_f1_of_one_half_on_an_imbalanced_task()
    {
        var rng = new Rng(10);
        int n = 400;
        var scores = new float[n];
        var labels = new float[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.NextFloat() < 0.15f ? 1 : 0;
            // Positives score a bit higher, but a calibrated model would rarely exceed 0.5 for them.
            scores[i] = Math.Clamp(0.2f + 0.2f * labels[i] + 0.12f * rng.NextGaussian(), 0, 1);
        }
        var tuned = DecisionThresholds.Tune(Tensor.FromArray(scores, n), Tensor.FromArray(labels, n));
        float theta = tuned.Values[0];
        double f1Tuned = F1At(scores, labels, theta), f1Half = F1At(scores, labels, 0.5f);
        Assert.True(f1Tuned >= f1Half, $"θ={theta}: F1 {f1Tuned} < {f1Half}");
        Assert.True(f1Tuned > f1Half + 0.1, $"tuning should matter here: {f1Tuned} vs {f1Half}");
        DecisionThresholds.BestF1Threshold(scores, labels, out double reported);
        Assert.Equal(reported, f1Tuned, 10);
    }

    [Fact]
    public void Best_threshold_of_a_separable_set_lies_between_the_classes()
    {
        float theta = DecisionThresholds.BestF1Threshold([0.1f, 0.4f, 0.6f, 0.9f], [0, 0, 1, 1], out double f1);
        Assert.Equal(1.0, f1);
        Assert.InRange(theta, 0.4f + 1e-6f, 0.6f);
    }

    [Fact]
    public void Labels_with_too_few_positives_take_the_shared_threshold()
    {
        // Label 0 has 3 positives (its own θ); label 1 has one, label 2 none: both take the micro-F1 θ of all scores.
        var scores = Tensor.FromArray([0.2f, 0.7f, 0.1f, 0.4f, 0.9f, 0.3f, 0.1f, 0.95f, 0.6f, 0.35f, 0.6f, 0.2f, 0.5f, 0.1f, 0.05f], 5, 3);
        var targets = Tensor.FromArray([0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0], 5, 3);
        var own = DecisionThresholds.Tune(scores, targets);
        var robust = DecisionThresholds.Tune(scores, targets, minPositives: 2);
        float shared = DecisionThresholds.Tune(scores, targets, perLabel: false).Values[0];
        Assert.Equal(own.Values[0], robust.Values[0]);
        Assert.Equal([shared, shared], robust.Values.Skip(1));
        Assert.True(own.Values[2] > 0.6f, "without positives a label's own θ is above every score: it is never predicted");
    }

    [Fact]
    public void Per_label_thresholds_are_tuned_and_applied_column_by_column()
    {
        // Label 0 is separable at 0.3, label 1 at 0.8.
        var scores = Tensor.FromArray([0.2f, 0.7f, 0.4f, 0.9f, 0.1f, 0.95f, 0.35f, 0.6f], 4, 2);
        var targets = Tensor.FromArray([0, 0, 1, 1, 0, 1, 1, 0], 4, 2);
        var t = DecisionThresholds.Tune(scores, targets);
        Assert.Equal(2, t.Values.Count);
        Assert.InRange(t.Values[0], 0.2f, 0.35f);
        Assert.InRange(t.Values[1], 0.7f, 0.9f);
        Assert.Equal(targets.ToArray(), t.Apply(scores).ToArray());
        var shared = DecisionThresholds.Tune(scores, targets, perLabel: false);
        Assert.Single(shared.Values);
        Assert.NotEqual(targets.ToArray(), shared.Apply(scores).ToArray());
    }

    [Fact]
    public void Applying_thresholds_to_the_wrong_label_count_names_the_shapes()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => new DecisionThresholds(0.5f, 0.5f).Apply(Tensor.Zeros(4, 3)));
        Assert.Contains("[4, 3]", ex.Message);
    }
}
