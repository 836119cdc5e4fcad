using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// The graph convolution of Kipf and Welling (2017), as PyTorch Geometric's <c>GCNConv</c>:
/// X' = Â·(X·Wᵀ) + b with Â = D^-½(A + I)D^-½ (<see cref="Graph.SymmetricNormalized"/>): each node
/// takes the degree-weighted sum of its own and its neighbours' transformed features.
/// </summary>
/// <remarks>
/// Parameters and state-dict names are PyG's (2.x): <c>lin.weight</c> <c>[out, in]</c> (a
/// <see cref="Dense"/> child without bias, Glorot-uniform) and <c>bias</c> <c>[out]</c> (zeros), in
/// PyTorch's order <c>bias</c>, <c>lin.weight</c>. Â is computed once per <see cref="Graph"/> object
/// and kept with it (PyG's <c>cached=True</c>). The features are transformed before propagation, so
/// a sparse 5,000-word input is multiplied once and only <c>out</c> columns are propagated.
/// </remarks>
public sealed class GCNConv : GraphModule
{
    private readonly Dense _lin;
    private readonly Tensor? _bias;

    /// <summary>Creates the layer with PyG's initialization (Glorot-uniform weight, zero bias).</summary>
    /// <param name="inChannels">Features per input node.</param>
    /// <param name="outChannels">Features per output node.</param>
    /// <param name="rng">Seeded source of the initial weight.</param>
    /// <param name="bias">Whether to learn the additive bias.</param>
    /// <param name="normalize">Propagate with Â (true) or with the graph's adjacency and weights as they are (false).</param>
    /// <param name="addSelfLoops">Add the missing self loops (A + I) before normalizing.</param>
    public GCNConv(int inChannels, int outChannels, Rng rng, bool bias = true, bool normalize = true, bool addSelfLoops = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentNullException.ThrowIfNull(rng);
        InChannels = inChannels;
        OutChannels = outChannels;
        Normalize = normalize;
        AddSelfLoops = addSelfLoops;
        using (TensorScope.Suspend())
            if (bias) _bias = RegisterParameter("bias", Tensor.Owned(new Shape(outChannels)), ParameterRole.Bias);
        _lin = RegisterModule("lin", new Dense(inChannels, outChannels, rng, bias: false, weightInit: Init.GlorotUniform()));
    }

    /// <summary>Features per input node.</summary>
    public int InChannels { get; }

    /// <summary>Features per output node.</summary>
    public int OutChannels { get; }

    /// <summary>Whether propagation uses D^-½(A + I)D^-½.</summary>
    public bool Normalize { get; }

    /// <summary>Whether missing self loops are added.</summary>
    public bool AddSelfLoops { get; }

    /// <summary>The weight W <c>[out, in]</c> (state-dict name <c>lin.weight</c>).</summary>
    public Tensor Weight => _lin.Weight;

    /// <summary>The bias b <c>[out]</c>, or null.</summary>
    public Tensor? Bias => _bias;

    /// <summary>X' = Â·(X·Wᵀ) + b for every node.</summary>
    /// <exception cref="ShapeMismatchException">X has another number of nodes than the graph or of features than <see cref="InChannels"/>.</exception>
    public override Tensor Forward(NodeFeatures x, Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        GraphLayers.CheckInput(this, x, graph, InChannels);
        var h = x.Linear(_lin.Weight, null);
        var propagation = Normalize ? graph.SymmetricNormalized(AddSelfLoops) : (AddSelfLoops ? graph.WithSelfLoops() : graph).Adjacency;
        return propagation.MatMul(h, add: _bias);
    }

    /// <summary><c>GCNConv(5000 → 64)</c>.</summary>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"GCNConv({InChannels} → {OutChannels})");
}
