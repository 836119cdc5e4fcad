using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A module that computes on a graph: <see cref="Forward(NodeFeatures, Graph)"/> takes the node
/// features and the graph, as a PyTorch Geometric module's <c>forward(x, edge_index)</c>. Graph
/// layers (<see cref="GCNConv"/>, <see cref="SAGEConv"/>, <see cref="GATConv"/>) derive from it, and
/// so does a model: register the layers as children and write the forward pass.
/// </summary>
/// <example><code>
/// sealed class Gcn : GraphModule
/// {
///     private readonly GCNConv _conv1, _conv2;
///     private readonly Dropout _dropout;
///     public Gcn(int features, int hidden, int classes, Rng rng)
///     {
///         _conv1 = RegisterModule("conv1", new GCNConv(features, hidden, rng));
///         _conv2 = RegisterModule("conv2", new GCNConv(hidden, classes, rng));
///         _dropout = RegisterModule("dropout", new Dropout(0.5f, rng));
///     }
///     public override Tensor Forward(NodeFeatures x, Graph g) =>
///         _conv2.Forward(_dropout.Forward(_conv1.Forward(x, g).Relu()), g);
/// }
/// </code></example>
public abstract class GraphModule : Module
{
    /// <summary>The output for every node of <paramref name="graph"/>, <c>[N, out]</c>.</summary>
    public abstract Tensor Forward(NodeFeatures x, Graph graph);

    /// <summary>Refused: a graph module needs the graph.</summary>
    /// <exception cref="InvalidOperationException">Always; call <see cref="Forward(NodeFeatures, Graph)"/>.</exception>
    public sealed override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{Describe()} computes on a graph: call Forward(x, graph) with the node features and the graph");
}
