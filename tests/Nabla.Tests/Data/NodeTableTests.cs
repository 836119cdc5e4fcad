using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

public sealed class NodeTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-nodes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params string[] lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static readonly NodeTableOptions Packages = new()
    {
        IdColumn = "package", NeighborColumn = "depends", TextColumn = "description", LabelColumn = "section", MaxWords = 10,
    };

    private string SmallFile() => Write("packages.tsv",
        "package\tsection\tdepends\tdescription",
        "app\tutils\tlibfoo;libbar;ghost\tA small app, for FOO users",
        "libfoo\tlibs\tlibbar\tFoo library (runtime)",
        "libbar\tlibs\t\tBar library",
        "doc\t\tapp;phantom\tDocumentation for app");

    [Fact]
    public void A_node_file_gives_the_graph_features_and_classes()
    {
        var data = NodeTable.Load(SmallFile(), Packages);
        var g = data.Graph;
        Assert.Equal(["app", "libfoo", "libbar", "doc"], g.NodeNames!);
        Assert.True(g.IsSymmetric);
        Assert.Equal(4, g.SelfLoopCount);
        Assert.Equal([0, 1, 2, 3], g.Neighbors(0).ToArray());   // app: itself, its two dependencies, and doc (symmetrized)
        Assert.Equal(["libs", "utils"], data.Classes);
        Assert.Equal([1, 0, 0, -1], data.Labels);               // doc's empty section: unlabelled, not an error
        Assert.Equal(3, data.LabeledCount);
        Assert.Equal(4, data.Features!.Rows);
        Assert.Equal(10, data.Vocabulary!.Count);
        int foo = data.Vocabulary.IndexOf("foo");
        Assert.Equal(1f, data.Features[0, foo]);                 // "FOO" lowercased
        Assert.Equal(1f, data.Features[1, foo]);
        Assert.Equal(0f, data.Features[2, foo]);
    }

    [Fact]
    public void Neighbours_that_are_not_nodes_are_dropped_counted_and_the_first_named()
    {
        var data = NodeTable.Load(SmallFile(), Packages);
        Assert.Equal(2, data.DroppedNeighbors);
        Assert.Equal("'ghost' (packages.tsv:2:3)", data.FirstDroppedNeighbor);
    }

    [Fact]
    public void Neighbours_that_are_not_nodes_can_be_refused_with_file_line_and_count()
    {
        var e = Assert.Throws<DataFormatException>(() => NodeTable.Load(SmallFile(), Packages with { UnknownNeighbors = UnknownNeighbors.Refuse }));
        Assert.Equal("packages.tsv:2:3: neighbour 'ghost' in column 'depends' is not a node id (2 unknown neighbours in the file; UnknownNeighbors.Drop leaves them out)", e.Message);
    }

    [Fact]
    public void A_file_without_edges_gives_isolated_nodes_with_self_loops()
    {
        string path = Write("lonely.tsv", "id\tlinks\tlabel", "a\t\tx", "b\t\ty");
        var data = NodeTable.Load(path, new NodeTableOptions { NeighborColumn = "links", LabelColumn = "label" });
        Assert.Equal(2, data.Graph.EdgeCount);
        Assert.Equal(2, data.Graph.SelfLoopCount);
        Assert.Null(data.Features);
    }

    [Theory]
    [InlineData("id\tlinks", "a\t", "nodes.tsv:1: no neighbour column 'depends'; the columns are id, links")]
    [InlineData("id\tdepends", "a\tb\tc", "nodes.tsv:2:3: expected 2 fields, found 3")]
    [InlineData("id\tdepends", "\tb", "nodes.tsv:2:1: empty node id in column 'id'")]
    public void Malformed_files_are_refused_naming_file_line_and_column(string header, string row, string message)
    {
        string path = Write("nodes.tsv", header, row);
        var e = Assert.Throws<DataFormatException>(() => NodeTable.Load(path, new NodeTableOptions { NeighborColumn = "depends" }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_repeated_id_names_both_lines()
    {
        string path = Write("nodes.tsv", "id\tdepends", "a\t", "b\ta", "a\tb");
        var e = Assert.Throws<DataFormatException>(() => NodeTable.Load(path, new NodeTableOptions { NeighborColumn = "depends" }));
        Assert.Equal("nodes.tsv:4:1: node id 'a' repeats the one on line 2", e.Message);
    }

    [Fact]
    public void Csv_fields_may_be_quoted()
    {
        string path = Write("nodes.csv", "id,text,links,label", "a,\"Hello, \"\"world\"\"\",b,x", "b,plain,,y");
        var data = NodeTable.Load(path, new NodeTableOptions { NeighborColumn = "links", TextColumn = "text", LabelColumn = "label" });
        Assert.Equal(["hello", "plain", "world"], data.Vocabulary!.Words.Order(StringComparer.Ordinal));
        Assert.Equal([0, 1], data.Graph.Neighbors(1).ToArray());
    }

    [Fact]
    public void The_vocabulary_keeps_the_words_found_in_most_texts_ties_in_ordinal_order()
    {
        var bag = BagOfWords.Fit(["b a a", "c b", "d c b", null, "E"], maxWords: 3);
        Assert.Equal(["b", "c", "a"], bag.Words);
        Assert.Equal(["libc6", "2", "x86", "64"], BagOfWords.Tokenize("libc6 (2) x86_64").ToArray());
        var x = bag.Transform(["a b b", "zzz", null]);
        Assert.Equal([1f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f], x.ToDense().ToArray());
        Assert.True(x.IsBinary);
    }

    [Fact]
    public void A_random_split_is_seeded_disjoint_and_covers_the_labelled_nodes()
    {
        var data = KarateClub.Load();
        var a = data.RandomSplit(new Rng(3), 0.2, 0.3);
        var b = data.RandomSplit(new Rng(3), 0.2, 0.3);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal((7, 10, 17), (a.Train.Length, a.Validation.Length, a.Test.Length));
        Assert.Equal(Enumerable.Range(0, 34), a.Train.Concat(a.Validation).Concat(a.Test).Order());
        Assert.NotEqual(a.Train, data.RandomSplit(new Rng(4), 0.2, 0.3).Train);
    }

    [Fact]
    public void Edge_lists_name_nodes_by_first_appearance_or_by_index()
    {
        string path = Write("edges.tsv", "# a comment", "from\tto\tweight", "x\ty\t2.5", "y\tz\t1", "", "z\tx\t0.5");
        var g = EdgeList.Load(path, hasHeader: true);
        Assert.Equal(["x", "y", "z"], g.NodeNames!);
        Assert.Equal(2.5f, g.Adjacency[1, 0]);
        Assert.Equal(0.5f, g.Adjacency[0, 2]);
        var numbered = EdgeList.Load(Write("edges.txt", "0 3", "3 1"), symmetrize: true, selfLoops: true, nodeCount: 5);
        Assert.Null(numbered.NodeNames);
        Assert.Equal(5 + 4, numbered.EdgeCount);
        Assert.Equal([0, 1, 3], numbered.Neighbors(3).ToArray());
    }

    [Theory]
    [InlineData("a,b,1\nb,c,x", "edges.csv:2:3: edge weight 'x' is not a finite number")]
    [InlineData("a,b,1\nb,c", "edges.csv:2: this edge has no weight but the edges before it have one")]
    [InlineData("a", "edges.csv:1: expected 'source target' or 'source target weight', found 1 field")]
    public void Malformed_edge_lists_are_refused_naming_file_and_line(string content, string message)
    {
        string path = Write("edges.csv", content.Split('\n'));
        var e = Assert.Throws<DataFormatException>(() => EdgeList.Load(path));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_edge_list_with_indices_refuses_a_name_outside_the_node_count()
    {
        var e = Assert.Throws<DataFormatException>(() => EdgeList.Load(Write("e.txt", "0 1", "1 9"), nodeCount: 4));
        Assert.Equal("e.txt:2:2: node '9' is not an index in 0..3", e.Message);
    }
}
