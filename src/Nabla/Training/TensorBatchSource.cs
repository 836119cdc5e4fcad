using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Mini-batches of two in-memory tensors with the same first dimension: rows are gathered (in a
/// shuffled order when an <see cref="Rng"/> is given) into tensors of the current scope, so an
/// epoch allocates nothing after the first.
/// </summary>
public sealed class TensorBatchSource : IBatchSource
{
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly int[] _order;
    private readonly Rng? _shuffle;

    /// <summary>
    /// Batches of <paramref name="batchSize"/> rows of <paramref name="x"/> and <paramref name="y"/>;
    /// the order is reshuffled every epoch when <paramref name="shuffle"/> is given, and an incomplete
    /// last batch is skipped when <paramref name="dropLast"/> is true.
    /// </summary>
    /// <exception cref="ShapeMismatchException">x and y have different numbers of rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is below 1.</exception>
    public TensorBatchSource(Tensor x, Tensor y, int batchSize, Rng? shuffle = null, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (x.Rank == 0 || y.Rank == 0 || x.Shape[0] != y.Shape[0])
            throw new ShapeMismatchException($"inputs {x.Shape} and targets {y.Shape} must have the same number of rows");
        // Row gathering copies from contiguous storage; take a contiguous copy once, outside any scope.
        using (TensorScope.Suspend())
        {
            _x = x.IsContiguous ? x : Tensor.FromArray(x.ToArray(), x.Shape.ToArray());
            _y = y.IsContiguous ? y : Tensor.FromArray(y.ToArray(), y.Shape.ToArray());
        }
        BatchSize = batchSize;
        DropLast = dropLast;
        _shuffle = shuffle;
        _order = new int[x.Shape[0]];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
    }

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>True when an incomplete last batch is skipped.</summary>
    public bool DropLast { get; }

    /// <inheritdoc/>
    public int SampleCount => DropLast ? _order.Length / BatchSize * BatchSize : _order.Length;

    /// <inheritdoc/>
    public int BatchCount => DropLast ? _order.Length / BatchSize : (_order.Length + BatchSize - 1) / BatchSize;

    /// <inheritdoc/>
    public void StartEpoch() => _shuffle?.Shuffle(_order.AsSpan());

    /// <inheritdoc/>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} is outside 0..{BatchCount - 1}");
        int start = index * BatchSize;
        var rows = _order.AsSpan(start, Math.Min(BatchSize, _order.Length - start));
        return new Batch(RowGather.Gather(_x, rows), RowGather.Gather(_y, rows));
    }
}
