using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>
/// A figure accumulated over batches, like Keras' stateful metrics: <see cref="Reset"/> at the
/// start of an epoch, <see cref="Update"/> with each batch's predictions and targets (reading
/// the tensors in place, without allocating), <see cref="Result"/> at any time.
/// </summary>
public abstract class Metric
{
    /// <summary>The key in epoch logs and <see cref="History"/> (<c>accuracy</c>; validation adds <c>val_</c>).</summary>
    public abstract string Name { get; }

    /// <summary>True when larger values are better (accuracy, F1, R²); used by monitors in mode auto.</summary>
    public virtual bool HigherIsBetter => true;

    /// <summary>Forgets everything accumulated.</summary>
    public abstract void Reset();

    /// <summary>Adds one batch: <paramref name="prediction"/> is the model's output, <paramref name="target"/> the batch targets.</summary>
    public abstract void Update(Tensor prediction, Tensor target);

    /// <summary>The value over everything added since <see cref="Reset"/> (NaN before any data).</summary>
    public abstract double Result { get; }

    /// <summary>
    /// The number of values in the metric's state when it is a vector of counts and sums that adds
    /// over disjoint parts of the data (torchmetrics' <c>dist_reduce_fx="sum"</c>), 0 when the metric
    /// has no such state. Data-parallel training (<see cref="IDataParallelModule"/>) adds the states of
    /// all processes element by element, so each one gets the figure over all the data.
    /// </summary>
    public virtual int SummableStateLength => 0;

    /// <summary>Writes the summable state (<see cref="SummableStateLength"/> values) into <paramref name="state"/>.</summary>
    /// <exception cref="InvalidOperationException">The metric has no summable state.</exception>
    public virtual void WriteSummableState(Span<double> state) => throw NotSummable();

    /// <summary>Replaces the accumulated state by <paramref name="state"/> (e.g. the sum of every process's).</summary>
    /// <exception cref="InvalidOperationException">The metric has no summable state.</exception>
    public virtual void ReadSummableState(ReadOnlySpan<double> state) => throw NotSummable();

    private InvalidOperationException NotSummable() =>
        new($"the metric {Name} ({GetType().Name}) has no summable state, so it cannot be combined across processes");

    /// <summary>The elements of a contiguous tensor; model outputs and gathered batches always are.</summary>
    /// <exception cref="ArgumentException">The tensor is a non-contiguous view.</exception>
    protected static ReadOnlySpan<float> Values(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!t.IsContiguous) throw new ArgumentException($"metrics read contiguous tensors; got a view of shape {t.Shape}", nameof(t));
        return t.AsSpan();
    }

    /// <summary>Rows (first dimension, 1 for a scalar) of <paramref name="t"/>.</summary>
    protected static int RowsOf(Tensor t) => t.Rank == 0 ? 1 : t.Shape[0];
}
