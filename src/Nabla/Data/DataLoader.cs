using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Mini-batches of a dataset, as PyTorch's <c>DataLoader</c>: <see cref="BatchSize"/> samples per
/// batch, a new order drawn from the seeded <see cref="Rng"/> each epoch when shuffling, an
/// incomplete last batch dropped when <see cref="DropLast"/>. It is the one way batches are made:
/// training and evaluation loops call <see cref="StartEpoch"/> once per epoch, then
/// <see cref="GetBatch"/> for <c>0 … BatchCount-1</c>, each inside its own <see cref="TensorScope"/>
/// (new kinds of data are new <see cref="IDataset"/>s, not new loaders). With a <see cref="DataShard"/>
/// (data-parallel training) each batch is the shard's part of the batch the same loader without a
/// shard would give; <see cref="BatchSize"/> and <see cref="BatchCount"/> stay those of the whole.
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
    /// <param name="shard">This process's part of every batch (data-parallel training); null: the whole batch.</param>
    /// <exception cref="ArgumentException">Shuffling without a generator.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is below 1 or the shard is invalid.</exception>
    public DataLoader(IDataset dataset, int batchSize = DefaultBatchSize, bool shuffle = false, Rng? rng = null, bool dropLast = false,
        DataShard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (shuffle && rng is null) throw new ArgumentException("shuffling needs a seeded Rng", nameof(rng));
        shard?.Validate();
        Dataset = dataset;
        BatchSize = batchSize;
        DropLast = dropLast;
        Shard = shard ?? DataShard.Whole;
        _rng = shuffle ? rng : null;
        _order = new int[dataset.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
    }

    /// <summary>The samples.</summary>
    public IDataset Dataset { get; }

    /// <summary>Samples per batch (of all shards together).</summary>
    public int BatchSize { get; }

    /// <summary>Which part of each batch <see cref="GetBatch"/> returns (<see cref="DataShard.Whole"/> without sharding).</summary>
    public DataShard Shard { get; }

    /// <summary>Whether an incomplete last batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Whether the order is reshuffled every epoch.</summary>
    public bool Shuffle => _rng is not null;

    /// <summary>Number of samples one epoch hands out (after dropping an incomplete last batch, if configured): this shard's parts of the batches.</summary>
    public int SampleCount
    {
        get
        {
            int full = _order.Length / BatchSize, rest = DropLast ? 0 : _order.Length % BatchSize;
            return full * Shard.PartOf(BatchSize) + Shard.PartOf(rest);
        }
    }

    /// <summary>Number of batches in one epoch.</summary>
    public int BatchCount => DropLast ? _order.Length / BatchSize : (_order.Length + BatchSize - 1) / BatchSize;

    /// <summary>Prepares the next epoch: a shuffling loader draws a new order (one <see cref="Rng.Shuffle{T}(Span{T})"/> of the previous one).</summary>
    public void StartEpoch() => _rng?.Shuffle(_order.AsSpan());

    /// <summary>
    /// Batch <paramref name="index"/> of the current epoch (this shard's part of it), gathered by the
    /// dataset as tensors of the current scope (so a per-step <see cref="TensorScope"/> recycles them).
    /// A shard's part has no rows when the batch has fewer samples than there are shards.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside <c>0 … BatchCount-1</c>.</exception>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} is outside 0..{BatchCount - 1}");
        int start = index * BatchSize;
        int size = Math.Min(BatchSize, _order.Length - start);
        return Dataset.Gather(_order.AsSpan(start + Shard.Start(size), Shard.PartOf(size)));
    }
}
