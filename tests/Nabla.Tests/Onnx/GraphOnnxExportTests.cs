using Microsoft.ML.OnnxRuntime;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Onnx;
using Nabla.Tensors;

namespace Nabla.Tests.Onnx;

/// <summary>
/// Graph layers exported with the graph as inputs (<c>edge_index</c>, <c>edge_weight</c>) give in ONNX
/// Runtime what they give in Nabla on the same graph, within 1e-5.
/// </summary>
public sealed class GraphOnnxExportTests
{
    // 7 nodes: node 2 and node 5 have self loops already, node 6 receives no edge, weights not all 1.
    private static readonly int[] Sources = [0, 1, 2, 3, 4, 5, 0, 2, 6, 1, 3, 5, 4];
    private static readonly int[] Targets = [1, 0, 2, 4, 3, 5, 2, 0, 1, 3, 1, 4, 0];
    private const int Nodes = 7;

    private static float[] Weights(bool weighted) =>
        weighted ? [.. Sources.Select((_, i) => 0.25f + 0.5f * (i % 4))] : [.. Sources.Select(_ => 1f)];

    private static void AssertExportMatches(GraphModule layer, int features, bool weighted, ulong seed = 3, OnnxExportOptions? options = null)
    {
        var rng = new Rng(seed);
        foreach (var (_, t) in layer.StateDict()) rng.FillUniform(t.AsSpan(), -1f, 1f);
        var weights = Weights(weighted);
        var graph = Graph.FromEdges(Nodes, Sources, Targets, weighted ? weights : default);
        var x = Tensor.Randn(new Shape(Nodes, features), new Rng(seed + 1));
        layer.Eval();
        Tensor expected;
        using (GradMode.NoGrad())
        using (TensorScope.Suspend())
            expected = layer.Forward(x, graph).Contiguous();

        using var session = new InferenceSession(OnnxExport.ToBytes(layer, new Shape(1, features), options));
        using var input = OrtValue.CreateTensorValueFromMemory(x.ToArray(), [Nodes, features]);
        using var edgeIndex = OrtValue.CreateTensorValueFromMemory<long>([.. Sources.Select(s => (long)s), .. Targets.Select(t => (long)t)], [2, Sources.Length]);
        using var edgeWeight = OrtValue.CreateTensorValueFromMemory(weights, [Sources.Length]);
        var names = session.InputNames.ToList();
        var values = names.Select(n => n switch { "input" => input, "edge_index" => edgeIndex, _ => edgeWeight }).ToList();
        using var run = new RunOptions();
        using var outputs = session.Run(run, names, values, [OnnxExport.OutputName]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        OnnxRuntimeRunner.AssertClose(expected, (outputs[0].GetTensorDataAsSpan<float>().ToArray(), shape));
    }

    [Theory]
    [InlineData(true, true, false)]
    [InlineData(true, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(false, false, false)]
    public void GCNConv_matches(bool normalize, bool addSelfLoops, bool weighted) =>
        AssertExportMatches(new GCNConv(5, 4, new Rng(1), normalize: normalize, addSelfLoops: addSelfLoops), 5, weighted);

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void SAGEConv_matches(bool rootWeight, bool weighted) =>
        AssertExportMatches(new SAGEConv(5, 4, new Rng(1), rootWeight: rootWeight), 5, weighted);

    [Theory]
    [InlineData(1, true, true)]
    [InlineData(3, true, true)]
    [InlineData(3, false, true)]
    [InlineData(2, true, false)]
    public void GATConv_matches(int heads, bool concat, bool addSelfLoops) =>
        AssertExportMatches(new GATConv(5, 4, new Rng(1), heads: heads, concat: concat, addSelfLoops: addSelfLoops), 5, weighted: true);

    [Fact]
    public void A_model_of_two_graph_layers_shares_the_edge_inputs_through_its_own_exporter()
    {
        var options = new OnnxExportOptions { Exporters = [new TwoLayerGcnExporter()] };
        AssertExportMatches(new TwoLayerGcn(), 5, weighted: true, options: options);
        using var session = new InferenceSession(OnnxExport.ToBytes(new TwoLayerGcn(), new Shape(1, 5), options));
        Assert.Equal(["input", "edge_index", "edge_weight"], session.InputNames.ToArray());
    }

    private sealed class TwoLayerGcn : GraphModule
    {
        public TwoLayerGcn()
        {
            Conv1 = RegisterModule("conv1", new GCNConv(5, 6, new Rng(1)));
            Conv2 = RegisterModule("conv2", new GCNConv(6, 3, new Rng(2)));
        }

        public GCNConv Conv1 { get; }
        public GCNConv Conv2 { get; }

        public override Tensor Forward(NodeFeatures x, Graph graph) => Conv2.Forward(Conv1.Forward(x, graph).Relu(), graph);
    }

    private sealed class TwoLayerGcnExporter : OnnxLayerExporter<TwoLayerGcn>
    {
        public override string Export(TwoLayerGcn layer, OnnxValue input, OnnxExportContext context)
        {
            var hidden = context.Export(layer.Conv1, input, "conv1");
            return context.Export(layer.Conv2, hidden with { Name = context.Node("Relu", [hidden.Name]) }, "conv2").Name;
        }
    }
}
