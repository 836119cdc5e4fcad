using Nabla.Autograd;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// The node features a graph layer takes: a dense tensor <c>[N, F]</c> (a hidden layer's output)
/// or a sparse <see cref="CsrMatrix"/> <c>[N, F]</c> (bag-of-words inputs). Both convert
/// implicitly, so every layer is called the same way: <c>conv.Forward(x, graph)</c>.
/// </summary>
/// <remarks>
/// Graph layers only ever use their input through linear maps x·Wᵀ (GCN, GAT: <c>lin</c>; SAGE:
/// <c>lin_l</c>, <c>lin_r</c>), so <see cref="Linear"/> is all they need of it: the sparse form is
/// multiplied as it is and never densified.
/// </remarks>
public readonly struct NodeFeatures
{
    private NodeFeatures(Tensor? dense, CsrMatrix? sparse)
    {
        Dense = dense;
        Sparse = sparse;
    }

    /// <summary>The dense features, or null when they are sparse.</summary>
    public Tensor? Dense { get; }

    /// <summary>The sparse features, or null when they are dense.</summary>
    public CsrMatrix? Sparse { get; }

    /// <summary>Number of nodes (rows).</summary>
    public int NodeCount => Dense is { } d ? d.Shape[0] : Required.Rows;

    /// <summary>Number of features per node (columns).</summary>
    public int FeatureCount => Dense is { } d ? d.Shape[-1] : Required.Columns;

    private CsrMatrix Required => Sparse ?? throw new InvalidOperationException("NodeFeatures holds neither a tensor nor a sparse matrix (a default value)");

    /// <summary>Dense node features <c>[N, F]</c>.</summary>
    /// <exception cref="ShapeMismatchException">The tensor is not 2-D.</exception>
    public static NodeFeatures FromTensor(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2) throw new ShapeMismatchException($"node features must be [nodes, features], got {x.Shape}");
        return new(x, null);
    }

    /// <summary>Sparse node features <c>[N, F]</c>.</summary>
    public static NodeFeatures FromSparse(CsrMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new(null, x);
    }

    /// <summary>Dense node features <c>[N, F]</c>.</summary>
    public static implicit operator NodeFeatures(Tensor x) => FromTensor(x);

    /// <summary>Sparse node features <c>[N, F]</c>.</summary>
    public static implicit operator NodeFeatures(CsrMatrix x) => FromSparse(x);

    /// <summary>x·Wᵀ + b for W <c>[out, F]</c>: <c>LinearOp</c> on dense features, <c>SparseLinearOp</c> on sparse ones.</summary>
    /// <exception cref="ShapeMismatchException">W or b does not fit the features.</exception>
    public Tensor Linear(Tensor weight, Tensor? bias) => Dense is { } d ? d.Linear(weight, bias) : Required.Linear(weight, bias);

    /// <summary>The features of the given nodes, in that order (a sampled mini-batch's inputs).</summary>
    public NodeFeatures SelectRows(int[] nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (Dense is { } d) return d.IndexSelect(0, NodeData.Index(nodes));
        return Required.SelectRows(nodes);
    }
}
