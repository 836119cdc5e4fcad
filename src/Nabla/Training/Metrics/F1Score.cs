using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>How per-class figures are combined.</summary>
public enum Averaging
{
    /// <summary>Unweighted mean of the per-class values.</summary>
    Macro,
    /// <summary>The figure of the pooled counts.</summary>
    Micro,
}

/// <summary>
/// F1 of single-label classification accumulated in a <see cref="ConfusionMatrix"/> (argmax of
/// <c>[b, C]</c> outputs, or <c>output ≥ threshold</c> for binary outputs).
/// </summary>
public sealed class F1Score : Metric
{
    /// <summary>Creates the metric for <paramref name="numClasses"/> classes (2 for binary outputs).</summary>
    public F1Score(int numClasses, Averaging average = Averaging.Macro, double threshold = 0.5)
    {
        Matrix = new ConfusionMatrix(numClasses);
        Average = average;
        Threshold = (float)threshold;
    }

    /// <summary>The accumulated counts.</summary>
    public ConfusionMatrix Matrix { get; }

    /// <summary>Macro or micro averaging.</summary>
    public Averaging Average { get; }

    /// <summary>Decision threshold of binary outputs.</summary>
    public float Threshold { get; }

    /// <inheritdoc/>
    public override string Name => Average == Averaging.Macro ? "macro_f1" : "micro_f1";

    /// <inheritdoc/>
    public override void Reset() => Matrix.Clear();

    /// <inheritdoc/>
    public override void Update(Tensor prediction, Tensor target)
    {
        int rows = RowsOf(prediction);
        var p = Values(prediction);
        var t = Values(target);
        int classes = rows == 0 ? 1 : p.Length / rows;
        if (t.Length != rows) throw new ShapeMismatchException($"f1: output {prediction.Shape} needs {rows} class-index targets, got {target.Shape}");
        for (int i = 0; i < rows; i++)
        {
            int predicted = classes == 1 ? (p[i] >= Threshold ? 1 : 0) : Accuracy.ArgMax(p.Slice(i * classes, classes));
            Matrix.Add((int)t[i], predicted);
        }
    }

    /// <inheritdoc/>
    public override double Result => Matrix.Total == 0 ? double.NaN : Average == Averaging.Macro ? Matrix.MacroF1() : Matrix.MicroF1();

    /// <inheritdoc/>
    public override int SummableStateLength => Matrix.NumClasses * Matrix.NumClasses;

    /// <inheritdoc/>
    public override void WriteSummableState(Span<double> state) => Matrix.WriteCounts(state);

    /// <inheritdoc/>
    public override void ReadSummableState(ReadOnlySpan<double> state) => Matrix.ReadCounts(state);
}
