namespace Nabla.Data;

/// <summary>
/// One process's part of the data in data-parallel training, as PyTorch's <c>DistributedSampler</c>
/// (<c>rank</c>, <c>num_replicas</c>): a <see cref="DataLoader"/> with a shard hands out, of each
/// batch of its epoch order, only the contiguous part <c>[⌊b·Index/Count⌋, ⌊b·(Index+1)/Count⌋)</c>
/// (b = that batch's size). Every process shuffles with the same seed, so the shards of one batch are
/// disjoint and together make exactly the batch one process would train on.
/// </summary>
/// <param name="Index">This process's rank, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">The number of processes (the world size), ≥ 1.</param>
public readonly record struct DataShard(int Index, int Count)
{
    /// <summary>The whole of every batch (one process).</summary>
    public static DataShard Whole => new(0, 1);

    /// <summary>The size of this shard's part of a batch of <paramref name="batchSize"/> samples.</summary>
    public int PartOf(int batchSize) => End(batchSize) - Start(batchSize);

    /// <summary>Where this shard's part starts in a batch of <paramref name="batchSize"/> samples.</summary>
    public int Start(int batchSize) => (int)((long)batchSize * Index / Count);

    /// <summary>Where this shard's part ends (exclusive) in a batch of <paramref name="batchSize"/> samples.</summary>
    public int End(int batchSize) => (int)((long)batchSize * (Index + 1) / Count);

    /// <summary>Checks the fields (a default-constructed shard has Count 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Count &lt; 1 or Index outside 0..Count-1.</exception>
    internal void Validate()
    {
        if (Count < 1) throw new ArgumentOutOfRangeException(nameof(Count), $"a data shard needs Count ≥ 1, got {Count}");
        if ((uint)Index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(Index), $"shard index {Index} is outside 0..{Count - 1}");
    }
}
