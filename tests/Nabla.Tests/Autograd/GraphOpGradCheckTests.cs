using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>
/// Finite-difference checks of the sparse and graph operations and of the graph layers, on every
/// write path GradCheck knows (overwrite, accumulate, zeroed, an input used twice).
/// </summary>
public class GraphOpGradCheckTests
{
    // A small directed graph with a self loop, a node without incoming edges and an isolated node.
    private static readonly Graph Small = Graph.FromEdges(6, sources: [0, 1, 1, 2, 3, 4, 2, 0], targets: [1, 0, 2, 3, 1, 3, 2, 3]);

    private static readonly CsrMatrix SparseInput = CsrMatrix.FromEntries(6, 5,
        rowIndices: [0, 0, 1, 2, 2, 2, 4, 5], columnIndices: [1, 4, 0, 1, 2, 3, 4, 0], values: [1f, 0.5f, -2f, 1f, 1f, 3f, -1f, 0.25f]);

    [Fact]
    public void Sparse_times_dense_passes_for_the_dense_operand()
    {
        var rng = new Rng(1);
        var x = GradAssert.Param(rng, 1f, 6, 4);
        GradAssert.Passes(t => Small.SymmetricNormalized().MatMul(t[0]), x);
        GradAssert.Passes(t => Small.Adjacency.MatMul(t[0]), x);
    }

    [Fact]
    public void Sparse_times_dense_with_learned_entry_values_passes_for_both_per_head()
    {
        var rng = new Rng(2);
        var g = Small.WithSelfLoops();
        var x = GradAssert.Param(rng, 1f, 6, 6);
        var oneHead = GradAssert.Param(rng, 1f, g.EdgeCount);
        var threeHeads = GradAssert.Param(rng, 1f, g.EdgeCount, 3);
        GradAssert.Passes(t => g.Adjacency.MatMul(t[0], t[1]), x, oneHead);
        GradAssert.Passes(t => g.Adjacency.MatMul(t[0], t[1]), x, threeHeads);
    }

    [Fact]
    public void Sparse_times_dense_plus_a_bias_or_a_full_addend_passes_for_every_input()
    {
        var rng = new Rng(8);
        var g = Small.WithSelfLoops();
        var x = GradAssert.Param(rng, 1f, 6, 4);
        var values = GradAssert.Param(rng, 1f, g.EdgeCount, 2);
        var bias = GradAssert.Param(rng, 1f, 4);
        var full = GradAssert.Param(rng, 1f, 6, 4);
        GradAssert.Passes(t => Small.SymmetricNormalized().MatMul(t[0], add: t[1]), x, bias);
        GradAssert.Passes(t => g.Adjacency.MatMul(t[0], t[1], t[2]), x, values, full);
    }

    [Fact]
    public void A_linear_map_of_sparse_inputs_passes_for_weight_and_bias()
    {
        var rng = new Rng(3);
        var w = GradAssert.Param(rng, 1f, 3, 5);
        var b = GradAssert.Param(rng, 1f, 3);
        GradAssert.Passes(t => SparseInput.Linear(t[0], t[1]), w, b);
        GradAssert.Passes(t => SparseInput.Linear(t[0], null), w);
    }

    [Fact]
    public void Edge_gathers_and_the_edge_softmax_pass()
    {
        var rng = new Rng(4);
        var g = Small.WithSelfLoops();
        var nodes = GradAssert.Param(rng, 1f, 6, 2);
        var scores = GradAssert.Param(rng, 1f, g.EdgeCount, 2);
        var flat = GradAssert.Param(rng, 1f, g.EdgeCount);
        GradAssert.Passes(t => g.GatherSource(t[0]), nodes);
        GradAssert.Passes(t => g.GatherTarget(t[0]), nodes);
        GradAssert.Passes(t => g.EdgeSoftmax(t[0]), scores);
        GradAssert.Passes(t => g.EdgeSoftmax(t[0]), flat);
    }

    [Fact]
    public void GCNConv_passes_for_input_weight_and_bias()
    {
        var rng = new Rng(5);
        var conv = new GCNConv(4, 3, rng);
        Randomize(conv, rng);
        var x = GradAssert.Param(rng, 1f, 6, 4);
        GradAssert.Passes(t => conv.Forward(t[0], Small), [x, .. conv.Parameters()]);
        var sparse = CsrMatrix.FromEntries(6, 4, rowIndices: [0, 1, 1, 3, 5], columnIndices: [2, 0, 3, 1, 2], values: [1f, -1f, 2f, 0.5f, 1f]);
        GradAssert.Passes(_ => conv.Forward(sparse, Small), [.. conv.Parameters()]);
    }

    [Fact]
    public void SAGEConv_passes_for_input_and_both_maps()
    {
        var rng = new Rng(6);
        var conv = new SAGEConv(4, 3, rng);
        var x = GradAssert.Param(rng, 1f, 6, 4);
        GradAssert.Passes(t => conv.Forward(t[0], Small), [x, .. conv.Parameters()]);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(2, false)]
    public void GATConv_passes_for_input_map_attention_vectors_and_bias(int heads, bool concat)
    {
        var rng = new Rng(7);
        // A score within GradCheck's ε of LeakyReLU's kink makes the finite difference straddle it,
        // so the layer is checked with slope 1 here; the kink itself is LeakyRelu's own check, and
        // slope 0.2 is compared with PyTorch's gradients in GraphLayerFixtureTests.
        var conv = new GATConv(4, 2, rng, heads: heads, concat: concat, negativeSlope: 1f);
        Randomize(conv, rng);
        var x = GradAssert.Param(rng, 1f, 6, 4);
        GradAssert.Passes(t => conv.Forward(t[0], Small), [x, .. conv.Parameters()]);
    }

    // Zero-initialized biases would hide a bias that is added twice or not at all.
    private static void Randomize(Module m, Rng rng)
    {
        foreach (var p in m.Parameters()) rng.FillNormal(p.AsSpan(), 0f, 0.5f);
    }
}
