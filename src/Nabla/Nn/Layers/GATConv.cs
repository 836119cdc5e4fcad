using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// The graph attention layer of Veličković et al. (2018), as PyTorch Geometric's <c>GATConv</c>:
/// per head h, x'ᵢ = Σ_{j → i} αᵢⱼ·W xⱼ with attention
/// αᵢⱼ = softmax_j(LeakyReLU(a_srcᵀ·W xⱼ + a_dstᵀ·W xᵢ)) over node i's incoming edges (self loop
/// included); heads are concatenated (<c>[N, H·C]</c>) or averaged (<c>[N, C]</c>), then + bias.
/// </summary>
/// <remarks>
/// Parameters and state-dict names are PyG's (2.5+): <c>att_src</c>, <c>att_dst</c>
/// <c>[1, H, C]</c> (Glorot-uniform over H and C), <c>bias</c> <c>[H·C]</c> or <c>[C]</c> (zeros) and
/// <c>lin.weight</c> <c>[H·C, in]</c> (Glorot-uniform), in that order. Built from differentiable
/// pieces: <c>Linear</c>, the per-head scores, <see cref="EdgeOps"/>' gathers and edge softmax,
/// and the sparse product with one learned value per edge and head. Edge weights are ignored.
/// </remarks>
public sealed class GATConv : GraphModule
{
    private readonly Dense _lin;
    private readonly Tensor _attSrc, _attDst;
    private readonly Tensor? _bias;
    private readonly Dropout? _dropout;

    /// <summary>Creates the layer with PyG's initialization.</summary>
    /// <param name="inChannels">Features per input node.</param>
    /// <param name="outChannels">Features per head C.</param>
    /// <param name="rng">Seeded source of the initial weights and of the attention dropout masks.</param>
    /// <param name="heads">Number of attention heads H.</param>
    /// <param name="concat">Concatenate the heads (<c>[N, H·C]</c>) or average them (<c>[N, C]</c>).</param>
    /// <param name="negativeSlope">Slope of the LeakyReLU on the scores (0.2).</param>
    /// <param name="dropout">Dropout probability on the attention coefficients in training.</param>
    /// <param name="addSelfLoops">Attend to the node itself too (a self loop on every node).</param>
    /// <param name="bias">Whether to learn the additive bias.</param>
    public GATConv(int inChannels, int outChannels, Rng rng, int heads = 1, bool concat = true, double negativeSlope = 0.2,
        double dropout = 0, bool addSelfLoops = true, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        ArgumentNullException.ThrowIfNull(rng);
        (InChannels, OutChannels, Heads, Concat, NegativeSlope, AddSelfLoops) = (inChannels, outChannels, heads, concat, (float)negativeSlope, addSelfLoops);
        _lin = RegisterModule("lin", new Dense(inChannels, heads * outChannels, rng, bias: false, weightInit: Init.GlorotUniform()));
        using (TensorScope.Suspend())
        {
            // PyG's glorot on [1, H, C] uses the last two sizes as fan-in and fan-out.
            float bound = MathF.Sqrt(6f / (heads + outChannels));
            _attSrc = Tensor.Owned(new Shape(1, heads, outChannels));
            _attDst = Tensor.Owned(new Shape(1, heads, outChannels));
            rng.FillUniform(_attSrc.AsSpan(), -bound, bound);
            rng.FillUniform(_attDst.AsSpan(), -bound, bound);
            RegisterParameter("att_src", _attSrc, ParameterRole.Weight);
            RegisterParameter("att_dst", _attDst, ParameterRole.Weight);
            if (bias) _bias = RegisterParameter("bias", Tensor.Owned(new Shape(concat ? heads * outChannels : outChannels)), ParameterRole.Bias);
        }
        if (dropout > 0) _dropout = RegisterModule("attention_dropout", new Dropout(dropout, rng.Fork()));
    }

    /// <summary>Features per input node.</summary>
    public int InChannels { get; }

    /// <summary>Features per head.</summary>
    public int OutChannels { get; }

    /// <summary>Number of attention heads.</summary>
    public int Heads { get; }

    /// <summary>Whether heads are concatenated (else averaged).</summary>
    public bool Concat { get; }

    /// <summary>Slope of the LeakyReLU on the attention scores.</summary>
    public float NegativeSlope { get; }

    /// <summary>Whether every node attends to itself.</summary>
    public bool AddSelfLoops { get; }

    /// <summary>Width of the output: H·C when concatenating, else C.</summary>
    public int OutputWidth => Concat ? Heads * OutChannels : OutChannels;

    /// <summary>The shared map W <c>[H·C, in]</c> (<c>lin.weight</c>).</summary>
    public Tensor Weight => _lin.Weight;

    /// <summary>The attention vector over sources a_src <c>[1, H, C]</c>.</summary>
    public Tensor AttentionSource => _attSrc;

    /// <summary>The attention vector over targets a_dst <c>[1, H, C]</c>.</summary>
    public Tensor AttentionTarget => _attDst;

    /// <summary>The bias, or null.</summary>
    public Tensor? Bias => _bias;

    /// <summary>Multi-head attention over every node's incoming edges.</summary>
    /// <exception cref="ShapeMismatchException">X has another number of nodes than the graph or of features than <see cref="InChannels"/>.</exception>
    public override Tensor Forward(NodeFeatures x, Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        GraphLayers.CheckInput(this, x, graph, InChannels);
        var g = AddSelfLoops ? graph.WithSelfLoops() : graph;
        int n = graph.NodeCount;
        var h = x.Linear(_lin.Weight, null);
        var perHead = h.Reshape(n, Heads, OutChannels);
        var scoreSource = (perHead * _attSrc).Sum(2);
        var scoreTarget = (perHead * _attDst).Sum(2);
        var alpha = g.EdgeSoftmax((g.GatherSource(scoreSource) + g.GatherTarget(scoreTarget)).LeakyRelu(NegativeSlope));
        if (_dropout is not null) alpha = _dropout.Forward(alpha);
        if (Concat || Heads == 1) return g.Adjacency.MatMul(h, alpha, add: _bias);
        var mean = g.Adjacency.MatMul(h, alpha).Reshape(n, Heads, OutChannels).Mean(1);
        return _bias is null ? mean : mean + _bias;
    }

    /// <summary><c>GATConv(5000 → 8, heads=8)</c>.</summary>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"GATConv({InChannels} → {OutChannels}, heads={Heads})");
}
