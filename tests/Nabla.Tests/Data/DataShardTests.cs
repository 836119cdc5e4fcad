using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

public class DataShardTests
{
    private static Dataset Numbered(int n) => new(Tensor.FromArray([.. Enumerable.Range(0, n).Select(i => (float)i)], n, 1), Tensor.Zeros(n));

    private static List<float[]> Epoch(DataLoader loader)
    {
        loader.StartEpoch();
        var batches = new List<float[]>();
        for (int b = 0; b < loader.BatchCount; b++)
            using (TensorScope.Begin()) batches.Add(loader.GetBatch(b).Inputs.ToArray());
        return batches;
    }

    [Theory]
    [InlineData(103, 16, 2, false)]
    [InlineData(103, 16, 3, false)]
    [InlineData(103, 16, 3, true)]
    [InlineData(17, 4, 5, false)]   // batches smaller than the number of shards: some parts are empty
    public void The_shards_of_a_batch_are_disjoint_and_make_up_the_unsharded_batch(int n, int batch, int shards, bool dropLast)
    {
        var whole = Epoch(new DataLoader(Numbered(n), batch, shuffle: true, rng: new Rng(7), dropLast: dropLast));
        var parts = Enumerable.Range(0, shards)
            .Select(r => new DataLoader(Numbered(n), batch, shuffle: true, rng: new Rng(7), dropLast: dropLast, shard: new DataShard(r, shards)))
            .ToArray();
        Assert.All(parts, p => Assert.Equal(whole.Count, p.BatchCount));
        Assert.Equal(whole.Sum(b => b.Length), parts.Sum(p => p.SampleCount));
        var epochs = parts.Select(Epoch).ToArray();
        for (int b = 0; b < whole.Count; b++)
        {
            // Rank order concatenates back to the batch itself, so the disjoint parts are also contiguous.
            Assert.Equal(whole[b], epochs.SelectMany(e => e[b]).ToArray());
            Assert.True(epochs.Max(e => e[b].Length) - epochs.Min(e => e[b].Length) <= 1);
        }
    }

    [Fact]
    public void A_shard_outside_its_count_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Numbered(4), 2, shard: new DataShard(2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Numbered(4), 2, shard: default(DataShard)));
    }
}
