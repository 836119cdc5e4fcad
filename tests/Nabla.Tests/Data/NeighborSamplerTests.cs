using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Tests.Nn;

namespace Nabla.Tests.Data;

public class NeighborSamplerTests
{
    /// <summary>Two communities of <paramref name="half"/> nodes, dense inside, sparse across; features carry a weak class signal.</summary>
    private static NodeData Communities(int half, Rng rng)
    {
        int n = 2 * half;
        var sources = new List<int>();
        var targets = new List<int>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (rng.NextDouble() < ((i < half) == (j < half) ? 0.08 : 0.008))
                {
                    sources.Add(i);
                    targets.Add(j);
                }
        var graph = Graph.FromEdges(n, [.. sources], [.. targets], symmetrize: true);
        var labels = Enumerable.Range(0, n).Select(i => i < half ? 0 : 1).ToArray();
        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<float>();
        for (int i = 0; i < n; i++)
            for (int f = 0; f < 8; f++)
            {
                rows.Add(i);
                cols.Add(f);
                vals.Add(rng.NextGaussian() + (f < 2 ? (labels[i] == 0 ? 0.4f : -0.4f) : 0f));
            }
        return new NodeData(graph, CsrMatrix.FromEntries(n, 8, [.. rows], [.. cols], [.. vals]), labels, ["a", "b"]);
    }

    private static readonly Graph Big = Communities(60, new Rng(9)).Graph;

    [Fact]
    public void A_sample_starts_with_the_seeds_and_keeps_only_real_edges_within_the_fanouts()
    {
        var sampler = new NeighborSampler(Big, [4, 3], new Rng(1));
        int[] seeds = [5, 70, 11];
        var batch = sampler.Sample(seeds);
        Assert.Equal(3, batch.SeedCount);
        Assert.Equal(seeds, batch.NodeIds[..3]);
        Assert.Equal(batch.NodeIds.Length, batch.NodeIds.Distinct().Count());
        var g = batch.Graph;
        for (int v = 0; v < g.NodeCount; v++)
        {
            foreach (int u in g.Neighbors(v))
                Assert.True(Big.Neighbors(batch.NodeIds[v]).Contains(batch.NodeIds[u]), $"sampled edge {batch.NodeIds[u]} → {batch.NodeIds[v]} is not in the graph");
            int fanout = v < 3 ? 4 : 3;
            Assert.True(g.Degree(v) <= Math.Min(fanout, Big.Degree(batch.NodeIds[v])), $"node {v} got {g.Degree(v)} neighbours");
        }
        for (int v = 0; v < 3; v++) Assert.Equal(Math.Min(4, Big.Degree(seeds[v])), g.Degree(v));
    }

    [Fact]
    public void The_same_seed_samples_the_same_subgraphs_and_a_negative_fanout_takes_every_neighbour()
    {
        int[] seeds = [1, 2, 3, 90];
        var a = new NeighborSampler(Big, [3, 3], new Rng(7)).Sample(seeds);
        var b = new NeighborSampler(Big, [3, 3], new Rng(7)).Sample(seeds);
        var c = new NeighborSampler(Big, [3, 3], new Rng(8)).Sample(seeds);
        Assert.Equal(a.NodeIds, b.NodeIds);
        Assert.Equal(a.Graph.Adjacency.ColumnIndices.ToArray(), b.Graph.Adjacency.ColumnIndices.ToArray());
        Assert.NotEqual(a.NodeIds, c.NodeIds);
        var all = new NeighborSampler(Big, [-1], new Rng(0)).Sample(seeds);
        for (int v = 0; v < seeds.Length; v++) Assert.Equal(Big.Degree(seeds[v]), all.Graph.Degree(v));
        Assert.Throws<ArgumentException>(() => new NeighborSampler(Big, [2], new Rng(0)).Sample([4, 4]));
    }

    [Fact]
    public void SAGE_trained_on_sampled_mini_batches_classifies_the_communities()
    {
        var rng = new Rng(11);
        var data = Communities(100, rng);
        var split = data.RandomSplit(rng, 0.5, 0.0);
        var model = new GraphLayerTests.TwoLayer(new SAGEConv(8, 16, rng), new SAGEConv(16, 2, rng), 0f, rng);
        var optimizer = new Adam(model.Parameters(), 1e-2f);
        var sampler = new NeighborSampler(data.Graph, [5, 5], rng.Fork());
        var loss = new CrossEntropyLoss();
        var order = split.Train.ToArray();
        for (int epoch = 0; epoch < 20; epoch++)
        {
            rng.Shuffle(order.AsSpan());
            for (int start = 0; start < order.Length; start += 25)
            {
                using var scope = TensorScope.Begin("sampled step");
                var seeds = order.AsSpan(start, Math.Min(25, order.Length - start));
                var batch = sampler.Sample(seeds);
                var logits = model.Forward(data.Features!.SelectRows(batch.NodeIds), batch.Graph).Rows(0, batch.SeedCount);
                model.ZeroGrad();
                loss.Forward(logits, data.Targets(seeds.ToArray())).Backward();
                optimizer.Step();
            }
        }
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        var predicted = model.Forward(data.Features!, data.Graph).ArgMax(1).ToArray();
        double accuracy = split.Test.Average(i => (int)predicted[i] == data.Labels[i] ? 1.0 : 0.0);
        Assert.True(accuracy >= 0.9, $"test accuracy {accuracy:F3} after sampled mini-batch training");
    }
}
