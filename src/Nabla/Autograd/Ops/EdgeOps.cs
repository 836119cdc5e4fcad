using Nabla.Data;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Operations between a graph's nodes and its edges, the pieces of attention over edges (GAT):
/// lift a per-node value onto every edge from its source or its target (PyG's <c>x_j</c> and
/// <c>x_i</c>), and softmax edge scores over each node's incoming edges (PyG's
/// <c>softmax(alpha, index)</c>). Edge values are <c>[E]</c> or <c>[E, H]</c> (H heads), in the order
/// of the graph's adjacency entries; node values <c>[N]</c> or <c>[N, H]</c>.
/// </summary>
public static class EdgeOps
{
    extension(Graph g)
    {
        /// <summary>e[p] = x[source of edge p]. Gradient: ∂L/∂x[j] = Σ over the edges leaving j of G[p].</summary>
        /// <exception cref="ShapeMismatchException">x is not <c>[N]</c> or <c>[N, H]</c>.</exception>
        public Tensor GatherSource(Tensor x) => Gather(g, x, source: true);

        /// <summary>e[p] = x[target of edge p]. Gradient: ∂L/∂x[i] = Σ over the edges entering i of G[p].</summary>
        /// <exception cref="ShapeMismatchException">x is not <c>[N]</c> or <c>[N, H]</c>.</exception>
        public Tensor GatherTarget(Tensor x) => Gather(g, x, source: false);

        /// <summary>
        /// α[p] = exp(s[p]) / Σ_{q enters the same node} exp(s[q]), per head (max-subtracted).
        /// Gradient: ∂L/∂s[p] = α[p]·(G[p] − Σ_q α[q]·G[q]) over the same node's edges.
        /// </summary>
        /// <exception cref="ShapeMismatchException">The scores are not <c>[E]</c> or <c>[E, H]</c>.</exception>
        public Tensor EdgeSoftmax(Tensor scores)
        {
            ArgumentNullException.ThrowIfNull(g);
            ArgumentNullException.ThrowIfNull(scores);
            int heads = Heads(scores, g.EdgeCount, "edge softmax", "scores", "E");
            var s = scores.Contiguous();
            var y = Tensor.Scoped(s.Shape);
            EdgeKernels.RowSoftmax(g.Adjacency.RowPointers, heads, s.ReadOnlyData, y.AsSpan());
            if (!GradMode.Records(s)) return y;
            var node = EdgeSoftmaxNode.Rent();
            node.Graph = g;
            node.Heads = heads;
            node.SetInput(0, s);
            return GradMode.Attach(node, y);
        }
    }

    private static int Heads(Tensor t, int rows, string op, string what, string rowName)
    {
        if (t.Rank is not (1 or 2) || t.Shape[0] != rows)
            throw new ShapeMismatchException($"{op}: {what} must be [{rowName}] or [{rowName}, H] with {rowName} = {rows}, got {t.Shape}");
        return t.Rank == 2 ? t.Shape[1] : 1;
    }

    private static Tensor Gather(Graph g, Tensor x, bool source)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(x);
        int heads = Heads(x, g.NodeCount, source ? "gather source" : "gather target", "node values", "N");
        var xc = x.Contiguous();
        var y = Tensor.Scoped(x.Rank == 2 ? new Shape(g.EdgeCount, heads) : new Shape(g.EdgeCount));
        var a = g.Adjacency;
        if (source) EdgeKernels.GatherColumns(a.RowPointers, a.ColumnIndices, heads, xc.ReadOnlyData, y.AsSpan());
        else EdgeKernels.GatherRows(a.RowPointers, heads, xc.ReadOnlyData, y.AsSpan());
        if (!GradMode.Records(xc)) return y;
        var node = GatherNode.Rent();
        node.Graph = g;
        node.Heads = heads;
        node.Source = source;
        node.SetInput(0, xc);
        return GradMode.Attach(node, y);
    }

    private sealed class GatherNode : Node<GatherNode>
    {
        public Graph? Graph;
        public int Heads;
        public bool Source;

        public override string Name => Source ? "GatherSourceBackward" : "GatherTargetBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var a = Graph!.Adjacency;
            var dx = GradFor(0, out bool acc);
            if (Source)
            {
                // Edges leaving node j are column j's entries: sum them over the transposed structure.
                var t = a.Transposed;
                EdgeKernels.SumRows(t.RowPointers, t.Entries, Heads, grad.ReadOnlyData, dx.AsSpan(), acc);
            }
            else
            {
                EdgeKernels.SumRows(a.RowPointers, default, Heads, grad.ReadOnlyData, dx.AsSpan(), acc);
            }
        }

        protected override void ClearSaved() => Graph = null;
    }

    private sealed class EdgeSoftmaxNode : Node<EdgeSoftmaxNode>
    {
        public Graph? Graph;
        public int Heads;

        public override string Name => "EdgeSoftmaxBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var dx = GradFor(0, out bool acc);
            EdgeKernels.RowSoftmaxGrad(Graph!.Adjacency.RowPointers, Heads, Output!.ReadOnlyData, grad.ReadOnlyData, dx.AsSpan(), acc);
        }

        protected override void ClearSaved() => Graph = null;
    }
}
