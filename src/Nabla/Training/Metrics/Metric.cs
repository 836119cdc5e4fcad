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
