namespace Nabla.Training.Metrics;

/// <summary>
/// Counts of (actual, predicted) class pairs, and the per-class and averaged figures derived
/// from them: precision <c>TP/(TP+FP)</c>, recall <c>TP/(TP+FN)</c>, F1 <c>2TP/(2TP+FP+FN)</c>
/// (0 when the denominator is 0, as scikit-learn's <c>zero_division=0</c>).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>An empty matrix for <paramref name="numClasses"/> classes.</summary>
    public ConfusionMatrix(int numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        NumClasses = numClasses;
        _counts = new long[numClasses * numClasses];
    }

    /// <summary>Builds the matrix of two label sequences of equal length.</summary>
    /// <exception cref="ArgumentException">The lengths differ or a label is outside 0..numClasses-1.</exception>
    public static ConfusionMatrix FromLabels(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int numClasses)
    {
        if (actual.Length != predicted.Length)
            throw new ArgumentException($"{actual.Length} actual labels but {predicted.Length} predicted labels", nameof(predicted));
        var m = new ConfusionMatrix(numClasses);
        for (int i = 0; i < actual.Length; i++) m.Add(actual[i], predicted[i]);
        return m;
    }

    /// <summary>Number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual * NumClasses + predicted];

    /// <summary>Total number of samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one sample.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0..NumClasses-1.</exception>
    public void Add(int actual, int predicted)
    {
        if ((uint)actual >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(actual), $"label {actual} is outside 0..{NumClasses - 1}");
        if ((uint)predicted >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(predicted), $"label {predicted} is outside 0..{NumClasses - 1}");
        _counts[actual * NumClasses + predicted]++;
        Total++;
    }

    /// <summary>Copies the counts, row by row (actual class), into <paramref name="counts"/>.</summary>
    internal void WriteCounts(Span<double> counts)
    {
        for (int i = 0; i < _counts.Length; i++) counts[i] = _counts[i];
    }

    /// <summary>Replaces the counts by <paramref name="counts"/> (row by row), e.g. the sums of several processes' matrices.</summary>
    internal void ReadCounts(ReadOnlySpan<double> counts)
    {
        long total = 0;
        for (int i = 0; i < _counts.Length; i++) total += _counts[i] = (long)counts[i];
        Total = total;
    }

    /// <summary>Sets every count to zero.</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        Total = 0;
    }

    /// <summary>True positives of class <paramref name="c"/>: the diagonal entry.</summary>
    public long TruePositives(int c) => this[c, c];

    /// <summary>False positives of class <paramref name="c"/>: column sum minus the diagonal.</summary>
    public long FalsePositives(int c)
    {
        long s = 0;
        for (int a = 0; a < NumClasses; a++) if (a != c) s += this[a, c];
        return s;
    }

    /// <summary>False negatives of class <paramref name="c"/>: row sum minus the diagonal.</summary>
    public long FalseNegatives(int c)
    {
        long s = 0;
        for (int p = 0; p < NumClasses; p++) if (p != c) s += this[c, p];
        return s;
    }

    /// <summary>Fraction on the diagonal.</summary>
    public double Accuracy()
    {
        long d = 0;
        for (int c = 0; c < NumClasses; c++) d += this[c, c];
        return Total == 0 ? double.NaN : (double)d / Total;
    }

    /// <summary>Precision of class <paramref name="c"/>: TP/(TP+FP).</summary>
    public double Precision(int c) => Ratio(TruePositives(c), TruePositives(c) + FalsePositives(c));

    /// <summary>Recall of class <paramref name="c"/>: TP/(TP+FN).</summary>
    public double Recall(int c) => Ratio(TruePositives(c), TruePositives(c) + FalseNegatives(c));

    /// <summary>F1 of class <paramref name="c"/>: 2TP/(2TP+FP+FN).</summary>
    public double F1(int c) => Ratio(2 * TruePositives(c), 2 * TruePositives(c) + FalsePositives(c) + FalseNegatives(c));

    /// <summary>Unweighted mean of the per-class precisions.</summary>
    public double MacroPrecision() => Mean(Precision);

    /// <summary>Unweighted mean of the per-class recalls.</summary>
    public double MacroRecall() => Mean(Recall);

    /// <summary>Unweighted mean of the per-class F1 scores.</summary>
    public double MacroF1() => Mean(F1);

    /// <summary>
    /// F1 of the pooled counts, 2ΣTP/(2ΣTP+ΣFP+ΣFN); for single-label multi-class data it equals
    /// accuracy, micro precision and micro recall.
    /// </summary>
    public double MicroF1()
    {
        long tp = 0, fp = 0, fn = 0;
        for (int c = 0; c < NumClasses; c++)
        {
            tp += TruePositives(c);
            fp += FalsePositives(c);
            fn += FalseNegatives(c);
        }
        return Ratio(2 * tp, 2 * tp + fp + fn);
    }

    private double Mean(Func<int, double> perClass)
    {
        double s = 0;
        for (int c = 0; c < NumClasses; c++) s += perClass(c);
        return s / NumClasses;
    }

    internal static double Ratio(long num, long den) => den == 0 ? 0 : (double)num / den;

    /// <summary>The counts as rows of actual classes, columns of predicted classes.</summary>
    public long[,] ToArray()
    {
        var a = new long[NumClasses, NumClasses];
        for (int i = 0; i < NumClasses; i++)
            for (int j = 0; j < NumClasses; j++) a[i, j] = this[i, j];
        return a;
    }
}
