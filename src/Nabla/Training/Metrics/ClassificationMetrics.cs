using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>Pure functions for single-label classification over arrays and tensors.</summary>
public static class ClassificationMetrics
{
    /// <summary>Predicted classes of scores <c>[N, C]</c> (argmax per row), or of a binary output <c>[N]</c>/<c>[N, 1]</c> (<c>score ≥ threshold</c>).</summary>
    public static int[] PredictedClasses(Tensor scores, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var p = scores.ToArray();
        int rows = scores.Rank == 0 ? 1 : scores.Shape[0];
        int classes = rows == 0 ? 1 : p.Length / rows;
        var result = new int[rows];
        for (int i = 0; i < rows; i++)
            result[i] = classes == 1 ? (p[i] >= (float)threshold ? 1 : 0) : Metrics.Accuracy.ArgMax(p.AsSpan(i * classes, classes));
        return result;
    }

    /// <summary>Class indices held in a float tensor (or the argmax of one-hot rows <c>[N, C]</c> with C &gt; 1).</summary>
    public static int[] Labels(Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Rank == 2 && targets.Shape[1] > 1) return PredictedClasses(targets);
        var t = targets.ToArray();
        var r = new int[t.Length];
        for (int i = 0; i < t.Length; i++) r[i] = (int)t[i];
        return r;
    }

    /// <summary>Fraction of positions where the two label sequences agree.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double Accuracy(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        if (actual.Length != predicted.Length)
            throw new ArgumentException($"{actual.Length} actual labels but {predicted.Length} predicted labels", nameof(predicted));
        int hit = 0;
        for (int i = 0; i < actual.Length; i++) if (actual[i] == predicted[i]) hit++;
        return actual.Length == 0 ? double.NaN : (double)hit / actual.Length;
    }

    /// <summary>Accuracy of scores <c>[N, C]</c> (argmax) or binary outputs (threshold) against class-index or one-hot targets.</summary>
    public static double Accuracy(Tensor scores, Tensor targets, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        return Accuracy(Labels(targets), PredictedClasses(scores, threshold));
    }

    /// <summary>Fraction of rows of <paramref name="scores"/> <c>[N, C]</c> whose true class is among the k highest scores.</summary>
    /// <exception cref="ShapeMismatchException">The targets are not one class index per row.</exception>
    public static double TopKAccuracy(Tensor scores, Tensor targets, int k)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (scores.Rank != 2 || targets.Numel != scores.Shape[0])
            throw new ShapeMismatchException($"top-k accuracy needs scores [N, C] and N class indices, got {scores.Shape} and {targets.Shape}");
        var p = scores.ToArray();
        var t = targets.ToArray();
        int classes = scores.Shape[1], hits = 0;
        for (int i = 0; i < t.Length; i++) if (InTopK(p.AsSpan(i * classes, classes), (int)t[i], k)) hits++;
        return t.Length == 0 ? double.NaN : (double)hits / t.Length;
    }

    /// <summary>The confusion matrix of scores (argmax / threshold) against targets.</summary>
    public static ConfusionMatrix ConfusionMatrix(Tensor scores, Tensor targets, int numClasses, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        return Metrics.ConfusionMatrix.FromLabels(Labels(targets), PredictedClasses(scores, threshold), numClasses);
    }

    /// <summary>True when fewer than k scores beat the true class's score (ties count in its favour).</summary>
    internal static bool InTopK(ReadOnlySpan<float> row, int actual, int k)
    {
        if ((uint)actual >= (uint)row.Length) return false;
        float s = row[actual];
        int better = 0;
        for (int j = 0; j < row.Length; j++) if (row[j] > s) better++;
        return better < k;
    }
}
