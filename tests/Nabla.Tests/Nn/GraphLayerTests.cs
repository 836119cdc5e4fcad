using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class GraphLayerTests
{
    /// <summary>The tutorial's model: two graph convolutions with ReLU and dropout between them, as PyG's GCN example.</summary>
    internal sealed class TwoLayer : GraphModule
    {
        private readonly GraphModule _conv1, _conv2;
        private readonly Dropout _dropout;

        public TwoLayer(GraphModule conv1, GraphModule conv2, float dropout, Rng rng)
        {
            _conv1 = RegisterModule("conv1", conv1);
            _conv2 = RegisterModule("conv2", conv2);
            _dropout = RegisterModule("dropout", new Dropout(dropout, rng));
        }

        public override Tensor Forward(NodeFeatures x, Graph graph) =>
            _conv2.Forward(_dropout.Forward(_conv1.Forward(x, graph).Relu()), graph);
    }

    private static readonly Graph Ring = Graph.FromEdges(8, sources: [0, 1, 2, 3, 4, 5, 6, 7, 0, 2], targets: [1, 2, 3, 4, 5, 6, 7, 0, 4, 6], symmetrize: true);

    [Fact]
    public void State_dict_names_are_pyg_names_in_pytorch_order()
    {
        var rng = new Rng(0);
        Assert.Equal(["bias", "lin.weight"], new GCNConv(5, 4, rng).StateDict().Keys);
        Assert.Equal(["lin_l.weight", "lin_l.bias", "lin_r.weight"], new SAGEConv(5, 4, rng).StateDict().Keys);
        Assert.Equal(["att_src", "att_dst", "bias", "lin.weight"], new GATConv(5, 4, rng, heads: 2, dropout: 0.5f).StateDict().Keys);
        Assert.Equal(new Shape(8), new GATConv(5, 4, rng, heads: 2).StateDict()["bias"].Shape);
        Assert.Equal(new Shape(4), new GATConv(5, 4, rng, heads: 2, concat: false).StateDict()["bias"].Shape);
        Assert.Equal(new Shape(1, 2, 4), new GATConv(5, 4, rng, heads: 2).StateDict()["att_src"].Shape);
    }

    public static TheoryData<string> Layers => ["gcn", "sage", "gat"];

    private static GraphModule Create(string kind, int input, Rng rng) => kind switch
    {
        "gcn" => new GCNConv(input, 3, rng),
        "sage" => new SAGEConv(input, 3, rng),
        _ => new GATConv(input, 3, rng, heads: 2),
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Sparse_features_give_the_dense_features_output_and_weight_gradients(string kind)
    {
        var rng = new Rng(1);
        var layer = Create(kind, 6, rng);
        var dense = Tensor.Rand(new Shape(8, 6), rng);
        var d = dense.AsSpan();
        for (int i = 0; i < d.Length; i++) d[i] = d[i] < 0.6f ? 0f : d[i];
        var sparse = ToSparse(dense);

        var fromDense = layer.Forward(dense, Ring);
        (fromDense * fromDense).Sum().Backward();
        var denseGrads = layer.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        layer.ZeroGrad();
        var fromSparse = layer.Forward(sparse, Ring);
        (fromSparse * fromSparse).Sum().Backward();

        AssertClose(fromDense.ToArray(), fromSparse.ToArray(), 1e-5);
        int k = 0;
        foreach (var p in layer.Parameters()) AssertClose(denseGrads[k++], p.Grad!.ToArray(), 1e-4);
    }

    [Fact]
    public void On_a_graph_without_edges_a_gcn_is_an_mlp_with_the_same_weights()
    {
        var rng = new Rng(2);
        var gcn = new TwoLayer(new GCNConv(6, 5, rng), new GCNConv(5, 3, rng), 0f, rng);
        foreach (var p in gcn.Parameters()) rng.FillNormal(p.AsSpan(), 0f, 0.5f);
        var state = gcn.StateDict();
        var mlp = new Sequential(
            Dense.FromWeights(state["conv1.lin.weight"], state["conv1.bias"]), new ReLU(),
            Dense.FromWeights(state["conv2.lin.weight"], state["conv2.bias"]));
        var x = Tensor.Randn(new Shape(8, 6), rng);
        var expected = mlp.Forward(x).ToArray();
        AssertClose(expected, gcn.Forward(x, Graph.Empty(8)).ToArray(), 1e-6);
        // Same for the other layers: with only self loops, attention has one choice and the mean is the node itself.
        var gat = new GATConv(6, 5, rng, heads: 1);
        var sage = new SAGEConv(6, 5, rng);
        AssertClose(x.Linear(gat.Weight, gat.Bias).ToArray(), gat.Forward(x, Graph.Empty(8)).ToArray(), 1e-6);
        AssertClose((x.Linear(sage.NeighborWeight, sage.Bias) + x.Linear(sage.RootWeight!, null)).ToArray(),
            sage.Forward(x, Graph.Empty(8).WithSelfLoops()).ToArray(), 1e-5);
    }

    [Fact]
    public void Mistakes_name_the_layer_and_the_shapes()
    {
        var rng = new Rng(3);
        var conv = new GCNConv(6, 3, rng);
        var e = Assert.Throws<ShapeMismatchException>(() => conv.Forward(Tensor.Zeros(7, 6), Ring));
        Assert.Equal("GCNConv(6 → 3) expects node features [8, 6] for Graph(nodes=8, edges=20), got [7, 6]", e.Message);
        var o = Assert.Throws<InvalidOperationException>(() => conv.Forward(Tensor.Zeros(8, 6)));
        Assert.Equal("GCNConv(6 → 3) computes on a graph: call Forward(x, graph) with the node features and the graph", o.Message);
    }

    [Fact]
    public void Karate_club_with_one_labelled_member_per_faction_puts_most_members_in_the_right_faction()
    {
        // Kipf and Welling's semi-supervised demo: identity features, only the instructor (node 0) and
        // the administrator (node 33) labelled; the graph carries the rest.
        var data = KarateClub.Load();
        var rng = new Rng(42);
        var model = new TwoLayer(new GCNConv(34, 16, rng), new GCNConv(16, 2, rng), 0.5f, rng);
        var optimizer = new Adam(model.Parameters(), 1e-2f, weightDecay: 5e-4f);
        var train = NodeData.Index([0, 33]);
        var targets = data.Targets([0, 33]);
        var loss = new CrossEntropyLoss();
        for (int epoch = 0; epoch < 100; epoch++)
        {
            using var scope = TensorScope.Begin("karate step");
            model.ZeroGrad();
            loss.Forward(model.Forward(data.Features!, data.Graph).IndexSelect(0, train), targets).Backward();
            optimizer.Step();
        }
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        var predicted = model.Forward(data.Features!, data.Graph).ArgMax(1).ToArray();
        int correct = Enumerable.Range(1, 32).Count(i => (int)predicted[i] == data.Labels[i]);
        Assert.True(correct >= 27, $"{correct} of the 32 unlabelled members in the right faction");
    }

    internal static CsrMatrix ToSparse(Tensor dense)
    {
        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<float>();
        int n = dense.Shape[0], f = dense.Shape[1];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < f; c++)
                if (dense[r, c] != 0f)
                {
                    rows.Add(r);
                    cols.Add(c);
                    vals.Add(dense[r, c]);
                }
        return CsrMatrix.FromEntries(n, f, [.. rows], [.. cols], [.. vals]);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"[{i}]: {actual[i]:R} vs {expected[i]:R}");
    }
}
