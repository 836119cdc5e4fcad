using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Mini-batches of a dataset, as PyTorch's <c>DataLoader</c>: <see cref="BatchSize"/> samples per
/// batch, a new order drawn from the seeded <see cref="Rng"/> each epoch when shuffling, an
/// incomplete last batch dropped when <see cref="DropLast"/>. It is the one way batches are made:
/// training and evaluation loops call <see cref="StartEpoch"/> once per epoch, then
/// <see cref="GetBatch"/> for <c>0 … BatchCount-1</c>, each inside its own <see cref="TensorScope"/>
/// (new kinds of data are new <see cref="IDataset"/>s, not new loaders).
/// </summary>
/// <example><code>
/// var loader = new DataLoader(new Dataset(x, y), batchSize: 64, shuffle: true, rng: new Rng(0));
/// loader.StartEpoch();
/// for (int b = 0; b &lt; loader.BatchCount; b++)
///     using (TensorScope.Begin()) { var (inputs, targets) = loader.GetBatch(b); /* … */ }
/// </code></example>
public sealed class DataLoader
{
    /// <summary>Samples per batch when none is given (Keras' and PyTorch's habit: 32).</summary>
    public const int DefaultBatchSize = 32;

    private readonly int[] _order;
    private readonly Rng? _rng;

    /// <summary>Creates the loader.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (≥ 1).</param>
    /// <param name="shuffle">Reshuffle every epoch.</param>
    /// <param name="rng">Shuffling generator (required when shuffling).</param>
    /// <param name="dropLast">Skip an incomplete last batch.</param>
    /// <exception cref="ArgumentException">Shuffling without a generator.</exception>
    public DataLoader(IDataset dataset, int batchSize = DefaultBatchSize, bool shuffle = false, Rng? rng = null, bool dropLast = false)
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

    /// <summary>Number of samples one epoch visits (after dropping an incomplete last batch, if configured).</summary>
    public int SampleCount => DropLast ? _order.Length / BatchSize * BatchSize : _order.Length;

    /// <summary>Number of batches in one epoch.</summary>
    public int BatchCount => DropLast ? _order.Length / BatchSize : (_order.Length + BatchSize - 1) / BatchSize;

    /// <summary>Prepares the next epoch: a shuffling loader draws a new order (one <see cref="Rng.Shuffle{T}(Span{T})"/> of the previous one).</summary>
    public void StartEpoch() => _rng?.Shuffle(_order.AsSpan());

    /// <summary>
    /// Batch <paramref name="index"/> of the current epoch, gathered by the dataset as tensors of the
    /// current scope (so a per-step <see cref="TensorScope"/> recycles them).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside <c>0 … BatchCount-1</c>.</exception>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} is outside 0..{BatchCount - 1}");
        int start = index * BatchSize;
        return Dataset.Gather(_order.AsSpan(start, Math.Min(BatchSize, _order.Length - start)));
    }
}
