using Nabla.Autograd;
using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.Nn;

/// <summary>
/// GCNConv, SAGEConv and GATConv against fixtures/graph_layers.safetensors, written by
/// bench/peers/make_graph_fixtures.py (PyG's layers restated in plain PyTorch 1.13, float64):
/// the parameters load under PyG's state-dict names, and outputs and the gradients of
/// L = Σ out·wo with respect to the input and every parameter agree within 1e-5.
/// </summary>
public class GraphLayerFixtureTests
{
    private static readonly IReadOnlyDictionary<string, Tensor> Fixture =
        Safetensors.Load(Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "Nn", "fixtures", "graph_layers.safetensors")).Tensors;

    private static Tensor Copy(string key) => Tensor.FromArray(Fixture[key].ToArray(), [.. Fixture[key].Shape.ToArray()]);

    private static GraphModule Create(string name, Rng rng) => name switch
    {
        "gcn" => new GCNConv(5, 4, rng),
        "gcn_weighted" => new GCNConv(5, 3, rng),
        "sage" => new SAGEConv(5, 4, rng),
        "gat_concat" => new GATConv(5, 2, rng, heads: 3),
        "gat_mean" => new GATConv(5, 3, rng, heads: 2, concat: false),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [InlineData("gcn")]
    [InlineData("gcn_weighted")]
    [InlineData("sage")]
    [InlineData("gat_concat")]
    [InlineData("gat_mean")]
    public void Outputs_and_gradients_match_pytorch(string name)
    {
        var layer = Create(name, new Rng(0));
        string prefix = name + ".param.";
        var state = Fixture.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => Copy(kv.Key));
        layer.LoadStateDict(state);   // every PyG name present, none missing, same shapes
        var graph = Graph.FromEdgeIndex(Fixture["edge_index"], 7, name == "gcn_weighted" ? Fixture["edge_weight"] : null);
        var x = Copy(name + ".x").RequireGrad();

        var y = layer.Forward(x, graph);
        Close(Fixture[name + ".out"], y, name + " output");
        (y * Copy(name + ".wo")).Sum().Backward();
        Close(Fixture[name + ".grad.x"], x.Grad!, name + " ∂L/∂x");
        foreach (var p in layer.NamedParameters())
            Close(Fixture[$"{name}.grad.{p.Name}"], p.Tensor.Grad!, $"{name} ∂L/∂{p.Name}");
    }

    private static void Close(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5 * (1 + Math.Abs(e[i])), $"{what} [{i}]: {a[i]:R} vs PyTorch {e[i]:R}");
    }
}
