using System.Runtime.InteropServices;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// A graph of <see cref="NodeCount"/> nodes kept as its adjacency matrix in CSR form, with PyTorch
/// Geometric's message direction: an edge j → i (source j, target i; PyG's
/// <c>edge_index[:, e] = (j, i)</c>) is entry (i, j) of <see cref="Adjacency"/>, so row i lists the
/// nodes whose messages node i receives and A·X sums them. Optional edge weights are the entries'
/// values. Immutable; normalized adjacencies are computed once and kept.
/// </summary>
/// <remarks>
/// An undirected graph is stored symmetrized (both directions of each edge). Duplicate edges are
/// merged when the graph is built (weights summed, as PyG's <c>coalesce</c>).
/// </remarks>
/// <example><code>
/// var g = Graph.FromEdges(4, sources: [0, 1, 2], targets: [1, 2, 3], symmetrize: true, selfLoops: true);
/// var h = g.SymmetricNormalized().MatMul(x);     // D^-½(A + I)D^-½ · X, the GCN propagation
/// </code></example>
public sealed class Graph
{
    private Graph? _withSelfLoops;
    private CsrMatrix? _symmetric, _symmetricNoLoops, _row;

    private Graph(CsrMatrix adjacency, IReadOnlyList<string>? nodeNames)
    {
        Adjacency = adjacency;
        NodeNames = nodeNames;
    }

    /// <summary>The adjacency matrix <c>[NodeCount, NodeCount]</c>: entry (i, j) is the edge j → i.</summary>
    public CsrMatrix Adjacency { get; }

    /// <summary>The nodes' names (ids from the file the graph came from), or null.</summary>
    public IReadOnlyList<string>? NodeNames { get; }

    /// <summary>Number of nodes.</summary>
    public int NodeCount => Adjacency.Rows;

    /// <summary>Number of stored directed edges, self loops included (an undirected edge counts twice).</summary>
    public int EdgeCount => Adjacency.NonZeroCount;

    /// <summary>True when edges carry weights (else every edge weighs 1).</summary>
    public bool IsWeighted => !Adjacency.IsBinary;

    /// <summary>The sources of the edges into <paramref name="node"/> (its neighbours in an undirected graph), increasing.</summary>
    public ReadOnlySpan<int> Neighbors(int node) => Adjacency.RowColumns(node);

    /// <summary>Number of edges into <paramref name="node"/>, its self loop included.</summary>
    public int Degree(int node) => Adjacency.RowPointers[node + 1] - Adjacency.RowPointers[node];

    /// <summary>Number of nodes with a self loop.</summary>
    public int SelfLoopCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < NodeCount; i++) count += HasSelfLoop(i) ? 1 : 0;
            return count;
        }
    }

    /// <summary>True when every edge j → i has its reverse i → j with the same weight.</summary>
    public bool IsSymmetric
    {
        get
        {
            var a = Adjacency;
            var rp = a.RowPointers;
            var cols = a.ColumnIndices;
            for (int i = 0; i < NodeCount; i++)
                for (int p = rp[i]; p < rp[i + 1]; p++)
                    if (a[cols[p], i] != (a.IsBinary ? 1f : a.Values[p])) return false;
            return true;
        }
    }

    private bool HasSelfLoop(int node) => Neighbors(node).BinarySearch(node) >= 0;

    /// <summary>
    /// A graph from its edges source[e] → target[e] (PyG's <c>edge_index</c> rows), optionally
    /// weighted, symmetrized (the reverse of every edge added where missing, with the same weight)
    /// and with a self loop of weight 1 added to every node that has none.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or a node index is outside [0, nodeCount).</exception>
    public static Graph FromEdges(int nodeCount, ReadOnlySpan<int> sources, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights = default,
        bool symmetrize = false, bool selfLoops = false, IReadOnlyList<string>? nodeNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        if (sources.Length != targets.Length || (!weights.IsEmpty && weights.Length != sources.Length))
            throw new ArgumentException($"Graph.FromEdges: {sources.Length} sources, {targets.Length} targets and {weights.Length} weights differ in length");
        if (nodeNames is not null && nodeNames.Count != nodeCount)
            throw new ArgumentException($"Graph.FromEdges: {nodeNames.Count} node names for {nodeCount} nodes");
        for (int e = 0; e < sources.Length; e++)
            if ((uint)sources[e] >= (uint)nodeCount || (uint)targets[e] >= (uint)nodeCount)
                throw new ArgumentException($"Graph.FromEdges: edge {e} ({sources[e]} → {targets[e]}) names a node outside 0..{nodeCount - 1}");
        var a = CsrMatrix.FromEntries(nodeCount, nodeCount, targets, sources, weights);
        if (symmetrize) a = Symmetrized(a);
        if (selfLoops) a = WithRemainingSelfLoops(a);
        return new Graph(a, nodeNames);
    }

    /// <summary>
    /// A graph from PyG's <c>edge_index</c>, a <c>[2, E]</c> tensor of whole numbers (row 0 the
    /// sources, row 1 the targets), with the options of <see cref="FromEdges"/>.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The tensor is not <c>[2, E]</c>.</exception>
    /// <exception cref="ArgumentException">An entry is not a node index in [0, nodeCount).</exception>
    public static Graph FromEdgeIndex(Tensor edgeIndex, int nodeCount, Tensor? edgeWeight = null, bool symmetrize = false, bool selfLoops = false)
    {
        ArgumentNullException.ThrowIfNull(edgeIndex);
        if (edgeIndex.Rank != 2 || edgeIndex.Shape[0] != 2)
            throw new ShapeMismatchException($"Graph.FromEdgeIndex: edge_index must be [2, E], got {edgeIndex.Shape}");
        int e = edgeIndex.Shape[1];
        if (edgeWeight is not null && edgeWeight.Shape != new Shape(e))
            throw new ShapeMismatchException($"Graph.FromEdgeIndex: edge_weight must be [{e}], got {edgeWeight.Shape}");
        var values = edgeIndex.ToArray();
        var sources = new int[e];
        var targets = new int[e];
        for (int i = 0; i < 2 * e; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v) || v < 0 || v >= nodeCount)
                throw new ArgumentException($"Graph.FromEdgeIndex: edge_index[{i / e}, {i % e}] = {v} is not a node index in 0..{nodeCount - 1}");
            if (i < e) sources[i] = (int)v;
            else targets[i - e] = (int)v;
        }
        return FromEdges(nodeCount, sources, targets, edgeWeight?.ToArray(), symmetrize, selfLoops);
    }

    /// <summary>A graph with the given adjacency (square; entry (i, j) is the edge j → i).</summary>
    /// <exception cref="ArgumentException">The matrix is not square or the names do not match its size.</exception>
    public static Graph FromAdjacency(CsrMatrix adjacency, IReadOnlyList<string>? nodeNames = null)
    {
        ArgumentNullException.ThrowIfNull(adjacency);
        if (adjacency.Rows != adjacency.Columns) throw new ArgumentException($"Graph.FromAdjacency: an adjacency matrix must be square, got {adjacency}");
        if (nodeNames is not null && nodeNames.Count != adjacency.Rows)
            throw new ArgumentException($"Graph.FromAdjacency: {nodeNames.Count} node names for {adjacency.Rows} nodes");
        return new Graph(adjacency, nodeNames);
    }

    /// <summary>A graph of <paramref name="nodeCount"/> nodes and no edges: a GNN on it sees each node alone, like an MLP.</summary>
    public static Graph Empty(int nodeCount, IReadOnlyList<string>? nodeNames = null) =>
        FromEdges(nodeCount, [], [], nodeNames: nodeNames);

    /// <summary>
    /// This graph with a self loop of weight 1 on every node that has none (PyG's
    /// <c>add_remaining_self_loops</c>); existing self loops keep their weight. This graph itself
    /// when every node already has one.
    /// </summary>
    public Graph WithSelfLoops()
    {
        if (_withSelfLoops is { } done) return done;
        var a = WithRemainingSelfLoops(Adjacency);
        return _withSelfLoops = ReferenceEquals(a, Adjacency) ? this : new Graph(a, NodeNames);
    }

    /// <summary>
    /// GCN's propagation matrix  Â = D^-½ (A + I) D^-½  (Kipf and Welling): self loops of weight
    /// 1 added where missing (or none when <paramref name="addSelfLoops"/> is false), dᵢ = Σⱼ Âᵢⱼ
    /// the weighted in-degree, entry (i, j) = dᵢ^-½·wᵢⱼ·dⱼ^-½ (0 for a node of degree 0). Same as
    /// PyG's <c>gcn_norm</c>. Computed once per graph.
    /// </summary>
    public CsrMatrix SymmetricNormalized(bool addSelfLoops = true) => addSelfLoops
        ? _symmetric ??= Normalize(WithSelfLoops().Adjacency, symmetric: true)
        : _symmetricNoLoops ??= Normalize(Adjacency, symmetric: true);

    /// <summary>
    /// The row-normalized adjacency D^-1 A: entry (i, j) = wᵢⱼ / Σₖ wᵢₖ, so A·X is the (weighted)
    /// mean of each node's in-neighbours — GraphSAGE's mean aggregation; a node without neighbours
    /// gets 0. Computed once per graph.
    /// </summary>
    public CsrMatrix RowNormalized() => _row ??= Normalize(Adjacency, symmetric: false);

    private static CsrMatrix Normalize(CsrMatrix a, bool symmetric)
    {
        var rp = a.RowPointers;
        var cols = a.ColumnIndices;
        var w = a.Values;
        var degree = new double[a.Rows];
        for (int i = 0; i < a.Rows; i++)
            for (int p = rp[i]; p < rp[i + 1]; p++) degree[i] += w.IsEmpty ? 1.0 : w[p];
        var scale = new double[a.Rows];
        for (int i = 0; i < a.Rows; i++)
            scale[i] = degree[i] > 0 ? (symmetric ? 1.0 / Math.Sqrt(degree[i]) : 1.0 / degree[i]) : 0.0;
        var values = new float[a.NonZeroCount];
        for (int i = 0; i < a.Rows; i++)
            for (int p = rp[i]; p < rp[i + 1]; p++)
            {
                double v = w.IsEmpty ? 1.0 : w[p];
                values[p] = (float)(symmetric ? scale[i] * v * scale[cols[p]] : scale[i] * v);
            }
        return a.WithValues(values);
    }

    private static CsrMatrix Symmetrized(CsrMatrix a)
    {
        var rp = a.RowPointers;
        var cols = a.ColumnIndices;
        var w = a.Values;
        var rows = new List<int>(2 * a.NonZeroCount);
        var columns = new List<int>(2 * a.NonZeroCount);
        var values = w.IsEmpty ? null : new List<float>(2 * a.NonZeroCount);
        for (int i = 0; i < a.Rows; i++)
            for (int p = rp[i]; p < rp[i + 1]; p++)
            {
                rows.Add(i);
                columns.Add(cols[p]);
                values?.Add(w[p]);
                int j = cols[p];
                if (a.RowColumns(j).BinarySearch(i) >= 0) continue;
                rows.Add(j);
                columns.Add(i);
                values?.Add(w[p]);
            }
        return CsrMatrix.FromEntries(a.Rows, a.Columns, CollectionsMarshal.AsSpan(rows), CollectionsMarshal.AsSpan(columns), CollectionsMarshal.AsSpan(values));
    }

    private static CsrMatrix WithRemainingSelfLoops(CsrMatrix a)
    {
        var missing = new List<int>();
        for (int i = 0; i < a.Rows; i++)
            if (a.RowColumns(i).BinarySearch(i) < 0) missing.Add(i);
        if (missing.Count == 0) return a;
        var rp = a.RowPointers;
        var cols = a.ColumnIndices;
        int n = a.NonZeroCount + missing.Count;
        var rows = new int[n];
        var columns = new int[n];
        var values = a.IsBinary ? null : new float[n];
        int k = 0;
        for (int i = 0; i < a.Rows; i++)
            for (int p = rp[i]; p < rp[i + 1]; p++, k++)
            {
                rows[k] = i;
                columns[k] = cols[p];
                if (values is not null) values[k] = a.Values[p];
            }
        foreach (int i in missing)
        {
            rows[k] = columns[k] = i;
            if (values is not null) values[k] = 1f;
            k++;
        }
        return CsrMatrix.FromEntries(a.Rows, a.Columns, rows, columns, values);
    }

    /// <summary><c>Graph(nodes=34, edges=156)</c>.</summary>
    public override string ToString() => $"Graph(nodes={NodeCount}, edges={EdgeCount}{(IsWeighted ? ", weighted" : "")})";
}
