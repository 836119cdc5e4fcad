using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// A graph with per-node features and labels for node classification, PyTorch Geometric's
/// <c>Data(x, edge_index, y)</c>: the <see cref="Graph"/>, sparse <see cref="Features"/> (one row
/// per node) and <see cref="Labels"/> (a class index per node, −1 for an unlabelled node).
/// </summary>
public sealed class NodeData
{
    private readonly int[] _labels;

    /// <summary>Bundles a graph with its nodes' features and labels.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="features">One row per node, or null.</param>
    /// <param name="labels">One class index in [0, classes) or −1 (unlabelled) per node.</param>
    /// <param name="classes">The class names, in index order.</param>
    /// <exception cref="ArgumentException">The sizes disagree or a label is outside [−1, classes).</exception>
    public NodeData(Graph graph, CsrMatrix? features, IReadOnlyList<int> labels, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classes);
        if (features is not null && features.Rows != graph.NodeCount)
            throw new ArgumentException($"NodeData: {features.Rows} feature rows for {graph.NodeCount} nodes");
        if (labels.Count != graph.NodeCount) throw new ArgumentException($"NodeData: {labels.Count} labels for {graph.NodeCount} nodes");
        _labels = [.. labels];
        foreach (int y in _labels)
            if (y < -1 || y >= classes.Count) throw new ArgumentException($"NodeData: label {y} is outside −1..{classes.Count - 1}");
        Graph = graph;
        Features = features;
        Classes = classes;
    }

    /// <summary>The graph.</summary>
    public Graph Graph { get; }

    /// <summary>Node features <c>[nodes, features]</c>, or null.</summary>
    public CsrMatrix? Features { get; }

    /// <summary>The vocabulary that made <see cref="Features"/> from a text column, or null.</summary>
    public BagOfWords? Vocabulary { get; init; }

    /// <summary>Each node's class index, −1 when the node is unlabelled.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>The class names; a label is an index into this list.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Number of nodes.</summary>
    public int NodeCount => Graph.NodeCount;

    /// <summary>Number of labelled nodes.</summary>
    public int LabeledCount => _labels.Count(y => y >= 0);

    /// <summary>How many neighbour names were not nodes and were dropped (see <see cref="UnknownNeighbors.Drop"/>).</summary>
    public int DroppedNeighbors { get; init; }

    /// <summary>The first dropped neighbour with where it was (<c>'libfoo' (packages.tsv:12)</c>), or null.</summary>
    public string? FirstDroppedNeighbor { get; init; }

    /// <summary>
    /// A seeded random split of the <i>labelled</i> nodes: the first round(trainFraction·n) of a
    /// shuffled order train, the next round(validationFraction·n) validate, the rest test.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is negative or they sum above 1.</exception>
    public NodeSplit RandomSplit(Rng rng, double trainFraction = 0.1, double validationFraction = 0.1)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(trainFraction >= 0 && validationFraction >= 0 && trainFraction + validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), $"split fractions {trainFraction} and {validationFraction} must be ≥ 0 and sum to at most 1");
        var labelled = Enumerable.Range(0, NodeCount).Where(i => _labels[i] >= 0).ToArray();
        rng.Shuffle(labelled.AsSpan());
        int train = (int)Math.Round(trainFraction * labelled.Length), validation = (int)Math.Round(validationFraction * labelled.Length);
        return new NodeSplit(labelled[..train], labelled[train..(train + validation)], labelled[(train + validation)..]);
    }

    /// <summary>The class indices of <paramref name="nodes"/> as a float tensor, the target of a cross-entropy loss.</summary>
    /// <exception cref="ArgumentException">A node is unlabelled.</exception>
    public Tensor Targets(IReadOnlyList<int> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var t = new float[nodes.Count];
        for (int i = 0; i < t.Length; i++)
        {
            int y = _labels[nodes[i]];
            if (y < 0) throw new ArgumentException($"node {nodes[i]} is unlabelled and cannot be a training or test target");
            t[i] = y;
        }
        return Tensor.FromArray(t, t.Length);
    }

    /// <summary>Node indices as a float tensor, for <c>IndexSelect(0, …)</c> on a <c>[nodes, …]</c> output.</summary>
    public static Tensor Index(IReadOnlyList<int> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var t = new float[nodes.Count];
        for (int i = 0; i < t.Length; i++) t[i] = nodes[i];
        return Tensor.FromArray(t, t.Length);
    }
}

/// <summary>Node indices of a train / validation / test split.</summary>
/// <param name="Train">Training nodes.</param>
/// <param name="Validation">Validation nodes (model selection).</param>
/// <param name="Test">Test nodes.</param>
public sealed record NodeSplit(int[] Train, int[] Validation, int[] Test);
