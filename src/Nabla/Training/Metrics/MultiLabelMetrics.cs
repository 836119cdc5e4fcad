using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>
/// Pure functions for multi-label outputs: <c>actual</c> and <c>predicted</c> are 0/1
/// matrices <c>[N, L]</c> (as float tensors; values ≥ 0.5 count as 1).
/// </summary>
public static class MultiLabelMetrics
{
    /// <summary>Fraction of rows whose whole label set is predicted exactly.</summary>
    public static double SubsetAccuracy(Tensor actual, Tensor predicted)
    {
        var (a, p, n, l) = Read(actual, predicted);
        int exact = 0;
        for (int i = 0; i < n; i++)
        {
            bool same = true;
            for (int j = 0; j < l && same; j++) same = a[i * l + j] == p[i * l + j];
            if (same) exact++;
        }
        return n == 0 ? double.NaN : (double)exact / n;
    }

    /// <summary>Fraction of (row, label) cells predicted wrongly.</summary>
    public static double HammingLoss(Tensor actual, Tensor predicted)
    {
        var (a, p, _, _) = Read(actual, predicted);
        int wrong = 0;
        for (int i = 0; i < a.Length; i++) if (a[i] != p[i]) wrong++;
        return a.Length == 0 ? double.NaN : (double)wrong / a.Length;
    }

    /// <summary>F1 of the counts pooled over all labels: 2ΣTP/(2ΣTP+ΣFP+ΣFN).</summary>
    public static double MicroF1(Tensor actual, Tensor predicted)
    {
        var (a, p, _, _) = Read(actual, predicted);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < a.Length; i++) Tally(a[i], p[i], ref tp, ref fp, ref fn);
        return Metrics.ConfusionMatrix.Ratio(2 * tp, 2 * tp + fp + fn);
    }

    /// <summary>Unweighted mean over labels of each label's F1 (0 for a label with no positives at all).</summary>
    public static double MacroF1(Tensor actual, Tensor predicted)
    {
        var f1 = PerLabelF1(actual, predicted);
        return f1.Length == 0 ? double.NaN : f1.Average();
    }

    /// <summary>Each label's F1, 2TP/(2TP+FP+FN).</summary>
    public static double[] PerLabelF1(Tensor actual, Tensor predicted)
    {
        var (a, p, n, l) = Read(actual, predicted);
        var result = new double[l];
        for (int j = 0; j < l; j++)
        {
            long tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < n; i++) Tally(a[i * l + j], p[i * l + j], ref tp, ref fp, ref fn);
            result[j] = Metrics.ConfusionMatrix.Ratio(2 * tp, 2 * tp + fp + fn);
        }
        return result;
    }

    private static void Tally(bool a, bool p, ref long tp, ref long fp, ref long fn)
    {
        if (a && p) tp++;
        else if (p) fp++;
        else if (a) fn++;
    }

    private static (bool[] A, bool[] P, int Rows, int Labels) Read(Tensor actual, Tensor predicted)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Shape != predicted.Shape || actual.Rank > 2)
            throw new ShapeMismatchException($"multi-label metrics need two matrices [N, L] of the same shape, got {actual.Shape} and {predicted.Shape}");
        int rows = actual.Rank == 0 ? 1 : actual.Shape[0];
        int labels = actual.Rank == 2 ? actual.Shape[1] : 1;
        return (Binarize(actual), Binarize(predicted), rows, labels);
    }

    private static bool[] Binarize(Tensor t)
    {
        var v = t.ToArray();
        var b = new bool[v.Length];
        for (int i = 0; i < v.Length; i++) b[i] = v[i] >= 0.5f;
        return b;
    }
}
