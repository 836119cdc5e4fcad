using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// GraphSAGE's convolution with mean aggregation (Hamilton et al. 2017), as PyTorch Geometric's
/// <c>SAGEConv</c>: x'ᵢ = W_l·mean_{j → i} xⱼ + b + W_r·xᵢ — each node's own transformed features
/// plus the transformed mean of its in-neighbours' (<see cref="Graph.RowNormalized"/>; weighted by
/// edge weights when the graph has them, which PyG ignores; on unweighted graphs the two agree).
/// </summary>
/// <remarks>
/// Parameters and state-dict names are PyG's: <c>lin_l.weight</c>, <c>lin_l.bias</c> (the
/// neighbours' map, with the bias) and <c>lin_r.weight</c> (the root map, no bias), each
/// <c>[out, in]</c> with <c>nn.Linear</c>'s initialization. The mean is taken after the map
/// (W_l·mean = mean of W_l·xⱼ), so only <c>out</c> columns are aggregated.
/// </remarks>
public sealed class SAGEConv : GraphModule
{
    private readonly Dense _linL;
    private readonly Dense? _linR;

    /// <summary>Creates the layer with <c>nn.Linear</c>'s initialization for both maps.</summary>
    /// <param name="inChannels">Features per input node.</param>
    /// <param name="outChannels">Features per output node.</param>
    /// <param name="rng">Seeded source of the initial weights.</param>
    /// <param name="bias">Whether to learn the additive bias (in <c>lin_l</c>).</param>
    /// <param name="rootWeight">Whether to add the node's own transformed features W_r·xᵢ.</param>
    public SAGEConv(int inChannels, int outChannels, Rng rng, bool bias = true, bool rootWeight = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentNullException.ThrowIfNull(rng);
        InChannels = inChannels;
        OutChannels = outChannels;
        _linL = RegisterModule("lin_l", new Dense(inChannels, outChannels, rng, bias));
        if (rootWeight) _linR = RegisterModule("lin_r", new Dense(inChannels, outChannels, rng, bias: false));
    }

    /// <summary>Features per input node.</summary>
    public int InChannels { get; }

    /// <summary>Features per output node.</summary>
    public int OutChannels { get; }

    /// <summary>The neighbours' map W_l <c>[out, in]</c> (<c>lin_l.weight</c>).</summary>
    public Tensor NeighborWeight => _linL.Weight;

    /// <summary>The root map W_r <c>[out, in]</c> (<c>lin_r.weight</c>), or null without root weight.</summary>
    public Tensor? RootWeight => _linR?.Weight;

    /// <summary>The bias <c>[out]</c> (<c>lin_l.bias</c>), or null.</summary>
    public Tensor? Bias => _linL.Bias;

    /// <summary>x'ᵢ = W_l·mean_{j → i} xⱼ + b + W_r·xᵢ for every node.</summary>
    /// <exception cref="ShapeMismatchException">X has another number of nodes than the graph or of features than <see cref="InChannels"/>.</exception>
    public override Tensor Forward(NodeFeatures x, Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        GraphLayers.CheckInput(this, x, graph, InChannels);
        var root = _linR is null ? _linL.Bias : x.Linear(_linR.Weight, _linL.Bias);
        return graph.RowNormalized().MatMul(x.Linear(_linL.Weight, null), add: root);
    }

    /// <summary><c>SAGEConv(5000 → 64, mean)</c>.</summary>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"SAGEConv({InChannels} → {OutChannels}, mean)");
}
