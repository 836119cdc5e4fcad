using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

public class GraphTests
{
    [Fact]
    public void Edges_become_adjacency_entries_target_by_source_with_duplicates_merged()
    {
        var g = Graph.FromEdges(4, sources: [0, 0, 2, 0], targets: [1, 2, 1, 1]);
        Assert.Equal(3, g.EdgeCount);
        Assert.Equal([0, 2], g.Neighbors(1).ToArray());
        Assert.Equal([0], g.Neighbors(2).ToArray());
        Assert.Empty(g.Neighbors(0).ToArray());
        Assert.False(g.IsSymmetric);
        Assert.False(g.IsWeighted);
    }

    [Fact]
    public void Weighted_duplicates_add_up_and_symmetrizing_keeps_an_existing_reverse()
    {
        var g = Graph.FromEdges(3, sources: [0, 0, 1, 1], targets: [1, 1, 0, 2], weights: [1f, 2f, 5f, 4f], symmetrize: true);
        Assert.Equal(3f, g.Adjacency[1, 0]);   // 0 → 1 twice
        Assert.Equal(5f, g.Adjacency[0, 1]);   // 1 → 0 was given: not overwritten by the reverse of 0 → 1
        Assert.Equal(4f, g.Adjacency[2, 1]);
        Assert.Equal(4f, g.Adjacency[1, 2]);   // added reverse of 1 → 2
        Assert.Equal(4, g.EdgeCount);
    }

    [Fact]
    public void Symmetrized_graphs_with_self_loops_are_symmetric_and_loop_every_node()
    {
        var g = Graph.FromEdges(5, sources: [0, 1, 3, 2], targets: [1, 2, 4, 2], symmetrize: true, selfLoops: true);
        Assert.True(g.IsSymmetric);
        Assert.Equal(5, g.SelfLoopCount);
        Assert.Equal(6 + 5, g.EdgeCount);          // three undirected edges + five loops (2's loop given once)
        Assert.Same(g, g.WithSelfLoops());
    }

    [Fact]
    public void The_symmetric_normalization_is_kipf_and_wellings_formula()
    {
        // A path 0 - 1 - 2 with a weighted edge and a node (3) without edges.
        var g = Graph.FromEdges(4, sources: [0, 1], targets: [1, 2], weights: [2f, 1f], symmetrize: true);
        var a = g.SymmetricNormalized().ToDense();
        double[,] aHat = { { 1, 2, 0, 0 }, { 2, 1, 1, 0 }, { 0, 1, 1, 0 }, { 0, 0, 0, 1 } };
        var degree = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 4).Sum(j => aHat[i, j])).ToArray();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(aHat[i, j] / Math.Sqrt(degree[i] * degree[j]), a[i, j], 6);
        Assert.Same(g.SymmetricNormalized(), g.SymmetricNormalized());
        // Without added self loops the isolated node's row stays empty (degree 0 gives 0, not NaN).
        var noLoops = g.SymmetricNormalized(addSelfLoops: false).ToDense();
        Assert.Equal(0f, noLoops[3, 3]);
        Assert.Equal(2 / Math.Sqrt(2 * 3), noLoops[0, 1], 6);
    }

    [Fact]
    public void The_row_normalization_averages_each_nodes_in_neighbours()
    {
        var g = Graph.FromEdges(3, sources: [0, 1, 2, 0], targets: [2, 2, 2, 1], weights: [1f, 1f, 2f, 3f]);
        var a = g.RowNormalized().ToDense();
        Assert.Equal([0.25f, 0.25f, 0.5f], new[] { a[2, 0], a[2, 1], a[2, 2] });
        Assert.Equal(1f, a[1, 0]);
        Assert.Equal(0f, a[0, 0]);
    }

    [Fact]
    public void An_edge_index_tensor_reads_as_pyg_sources_and_targets()
    {
        var edgeIndex = Tensor.FromArray([0f, 1f, 1f, 2f, 2f, 0f], 2, 3);
        var g = Graph.FromEdgeIndex(edgeIndex, 3);
        // Columns are edges (source, target): 0 → 2, 1 → 2, 1 → 0.
        Assert.Equal([0, 1], g.Neighbors(2).ToArray());
        Assert.Equal([1], g.Neighbors(0).ToArray());
        Assert.Equal(3, g.EdgeCount);
        Assert.Throws<ArgumentException>(() => Graph.FromEdgeIndex(Tensor.FromArray([0f, 3f], 2, 1), 3));
        Assert.Throws<ShapeMismatchException>(() => Graph.FromEdgeIndex(Tensor.FromArray([0f, 1f, 2f], 3, 1), 3));
    }

    [Fact]
    public void A_graph_without_edges_has_only_the_self_loops_it_is_given()
    {
        var g = Graph.Empty(3);
        Assert.Equal(0, g.EdgeCount);
        Assert.Equal(3, g.WithSelfLoops().EdgeCount);
        Assert.Equal(Tensor.Eye(3).ToArray(), g.SymmetricNormalized().ToDense().ToArray());
    }

    [Fact]
    public void A_sparse_matrix_from_entries_sorts_and_coalesces_and_selects_rows()
    {
        var m = CsrMatrix.FromEntries(3, 4, rowIndices: [2, 0, 2, 0, 2], columnIndices: [3, 1, 0, 1, 3], values: [1f, 2f, 3f, 4f, 5f]);
        Assert.Equal([0, 1, 1, 3], m.RowPointers.ToArray());
        Assert.Equal([1, 0, 3], m.ColumnIndices.ToArray());
        Assert.Equal([6f, 3f, 6f], m.Values.ToArray());
        var s = m.SelectRows([2, 2, 1]);
        Assert.Equal([3f, 0f, 0f, 6f, 3f, 0f, 0f, 6f, 0f, 0f, 0f, 0f], s.ToDense().ToArray());
        var e = Assert.Throws<ArgumentException>(() => new CsrMatrix(2, 3, [0, 2, 3], [2, 1, 0]));
        Assert.Contains("not strictly increasing", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CsrMatrix(2, 3, [0, 1, 2], [0, 3]));
    }
}
