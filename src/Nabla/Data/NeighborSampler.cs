using System.Runtime.InteropServices;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// GraphSAGE-style neighbour sampling for mini-batches on graphs too large for full-batch training
/// (Hamilton et al. 2017; PyG's <c>NeighborLoader</c>): starting from a batch of seed nodes, each
/// hop k takes at most <c>fanouts[k]</c> of every frontier node's in-neighbours, drawn uniformly
/// without replacement from the seeded <see cref="Rng"/>; the nodes reached are relabelled into a
/// small subgraph whose first <see cref="SampledSubgraph.SeedCount"/> nodes are the seeds.
/// </summary>
/// <remarks>
/// A model with L graph layers needs L hops. It runs on the subgraph's features
/// (<c>features.SelectRows(batch.NodeIds)</c>) and the loss reads its first <c>SeedCount</c> output
/// rows, whose L-hop neighbourhoods the sample contains. The same seed gives the same subgraphs.
/// </remarks>
/// <example><code>
/// var sampler = new NeighborSampler(data.Graph, fanouts: [10, 10], new Rng(0));
/// var batch = sampler.Sample(trainNodes.AsSpan(0, 512));
/// var logits = model.Forward(data.Features!.SelectRows(batch.NodeIds), batch.Graph).Rows(0, batch.SeedCount);
/// </code></example>
public sealed class NeighborSampler
{
    private readonly Graph _graph;
    private readonly int[] _fanouts;
    private readonly Rng _rng;
    private readonly int[] _local;
    private int[] _positions = [];

    /// <summary>A sampler over <paramref name="graph"/> taking up to <c>fanouts[k]</c> neighbours at hop k (a negative fanout takes all).</summary>
    /// <exception cref="ArgumentException">No fanouts are given.</exception>
    public NeighborSampler(Graph graph, IReadOnlyList<int> fanouts, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(fanouts);
        ArgumentNullException.ThrowIfNull(rng);
        if (fanouts.Count == 0) throw new ArgumentException("NeighborSampler needs one fanout per graph layer, got none", nameof(fanouts));
        _graph = graph;
        _fanouts = [.. fanouts];
        _rng = rng;
        _local = new int[graph.NodeCount];
        Array.Fill(_local, -1);
    }

    /// <summary>Neighbours taken per node at each hop.</summary>
    public IReadOnlyList<int> Fanouts => _fanouts;

    /// <summary>Samples the neighbourhood of <paramref name="seeds"/> (distinct node indices).</summary>
    /// <exception cref="ArgumentException">A seed is outside the graph or repeated.</exception>
    public SampledSubgraph Sample(ReadOnlySpan<int> seeds)
    {
        var nodes = new List<int>(seeds.Length * 4);
        var sources = new List<int>();
        var targets = new List<int>();
        var weights = _graph.IsWeighted ? new List<float>() : null;
        try
        {
            foreach (int s in seeds)
            {
                if ((uint)s >= (uint)_graph.NodeCount) throw new ArgumentException($"NeighborSampler: seed {s} is not a node of {_graph}", nameof(seeds));
                if (_local[s] >= 0) throw new ArgumentException($"NeighborSampler: seed {s} is given twice", nameof(seeds));
                _local[s] = nodes.Count;
                nodes.Add(s);
            }
            int frontierStart = 0;
            var rp = _graph.Adjacency.RowPointers;
            var values = _graph.Adjacency.Values;
            foreach (int fanout in _fanouts)
            {
                int frontierEnd = nodes.Count;
                for (int v = frontierStart; v < frontierEnd; v++)
                {
                    int node = nodes[v];
                    var neighbors = _graph.Neighbors(node);
                    int take = fanout < 0 ? neighbors.Length : Math.Min(fanout, neighbors.Length);
                    var chosen = Choose(neighbors.Length, take);
                    foreach (int k in chosen)
                    {
                        int u = neighbors[k];
                        if (_local[u] < 0)
                        {
                            _local[u] = nodes.Count;
                            nodes.Add(u);
                        }
                        sources.Add(_local[u]);
                        targets.Add(v);
                        weights?.Add(values[rp[node] + k]);
                    }
                }
                frontierStart = frontierEnd;
            }
        }
        finally
        {
            foreach (int n in nodes) _local[n] = -1;
        }
        var graph = Graph.FromEdges(nodes.Count, CollectionsMarshal.AsSpan(sources), CollectionsMarshal.AsSpan(targets), CollectionsMarshal.AsSpan(weights));
        return new SampledSubgraph(graph, [.. nodes], seeds.Length);
    }

    // `take` distinct positions of 0..count-1, uniformly: a partial Fisher–Yates shuffle.
    private ReadOnlySpan<int> Choose(int count, int take)
    {
        if (_positions.Length < count) _positions = new int[Math.Max(count, 2 * _positions.Length)];
        var p = _positions.AsSpan(0, count);
        for (int i = 0; i < count; i++) p[i] = i;
        if (take == count) return p;
        for (int i = 0; i < take; i++)
        {
            int j = i + _rng.NextInt(count - i);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p[..take];
    }
}

/// <summary>A sampled neighbourhood: a subgraph over local node indices, the seeds first.</summary>
/// <param name="Graph">The sampled edges between the reached nodes, in local indices.</param>
/// <param name="NodeIds">The original index of each local node.</param>
/// <param name="SeedCount">The first SeedCount local nodes are the seeds, in the order given.</param>
public sealed record SampledSubgraph(Graph Graph, int[] NodeIds, int SeedCount);
