using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Data;

/// <summary>
/// Mini-batches of a dataset, as PyTorch's <c>DataLoader</c>: <see cref="BatchSize"/> samples per
/// batch, a new order drawn from the seeded <see cref="Rng"/> each epoch when shuffling, an
/// incomplete last batch dropped when <see cref="DropLast"/>. It is the <see cref="IBatchSource"/>
/// that <c>model.Fit</c>, <c>Evaluate</c> and <c>Predict</c> take.
/// </summary>
public sealed class DataLoader : IBatchSource
{
    private readonly int[] _order;
    private readonly Rng? _rng;

    /// <summary>Creates the loader.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (≥ 1).</param>
    /// <param name="shuffle">Reshuffle every epoch.</param>
    /// <param name="rng">Shuffling generator (required when shuffling).</param>
    /// <param name="dropLast">Skip an incomplete last batch.</param>
    /// <exception cref="ArgumentException">Shuffling without a generator.</exception>
    public DataLoader(IDataset dataset, int batchSize = FitDefaults.BatchSize, bool shuffle = false, Rng? rng = null, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (shuffle && rng is null) throw new ArgumentException("shuffling needs a seeded Rng", nameof(rng));
        Dataset = dataset;
        BatchSize = batchSize;
        DropLast = dropLast;
        _rng = shuffle ? rng : null;
        _order = new int[dataset.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
    }

    /// <summary>The samples.</summary>
    public IDataset Dataset { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether an incomplete last batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Whether the order is reshuffled every epoch.</summary>
    public bool Shuffle => _rng is not null;

    /// <inheritdoc/>
    public int SampleCount => DropLast ? _order.Length / BatchSize * BatchSize : _order.Length;

    /// <inheritdoc/>
    public int BatchCount => DropLast ? _order.Length / BatchSize : (_order.Length + BatchSize - 1) / BatchSize;

    /// <inheritdoc/>
    public void StartEpoch() => _rng?.Shuffle(_order.AsSpan());

    /// <inheritdoc/>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} is outside 0..{BatchCount - 1}");
        int start = index * BatchSize;
        return Dataset.Gather(_order.AsSpan(start, Math.Min(BatchSize, _order.Length - start)));
    }
}
