using Nabla.Data;

namespace Nabla.Tests.Data;

/// <summary>The Debian package graph of ../shared/data, read as the PackageGraph sample reads it.</summary>
public class PackageGraphDataTests
{
    [Fact]
    public void The_debian_packages_become_a_symmetric_graph_with_58_sections_and_5000_words()
    {
        var data = NodeTable.Load(TestData.Path_("debian-packages.tsv.gz"), new NodeTableOptions
        {
            IdColumn = "package", NeighborColumn = "depends", TextColumn = "description", LabelColumn = "section",
        });
        Assert.Equal(63_694, data.NodeCount);
        Assert.Equal(63_694, data.LabeledCount);
        Assert.Equal(58, data.Classes.Count);
        Assert.Equal(0, data.DroppedNeighbors);
        Assert.Equal(5000, data.Vocabulary!.Count);
        Assert.Equal([63_694, 5000], new[] { data.Features!.Rows, data.Features.Columns });
        Assert.True(data.Features.IsBinary);
        Assert.True(data.Graph.IsSymmetric);
        Assert.Equal(63_694, data.Graph.SelfLoopCount);
        // 245,146 listed dependencies, both directions once each, plus one loop per node (counted by
        // bench/peers/gcn-epochs.py's loader as well).
        Assert.Equal(553_866, data.Graph.EdgeCount);
        Assert.Equal(395_053, data.Features.NonZeroCount);
        Assert.Equal(["for", "library", "and", "files", "to"], data.Vocabulary.Words.Take(5));
        Assert.Equal("0ad", data.Graph.NodeNames![0]);
        Assert.Equal("games", data.Classes[data.Labels[0]]);
    }
}
