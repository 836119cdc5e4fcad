using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// The graph inputs and message passing shared by the graph layers' exporters. A graph layer's ONNX
/// graph takes, beside the node features <c>input</c> [N, F], PyG's <c>edge_index</c> (int64 [2, E]:
/// row 0 the sources, row 1 the targets) and <c>edge_weight</c> (float [E]; ones for an unweighted
/// graph), and computes what the layer computes on <c>Graph.FromEdgeIndex(edge_index, N, edge_weight)</c>.
/// Sums over a node's incoming edges are <c>ScatterND</c> with <c>reduction="add"</c> (opset 16).
/// </summary>
internal static class GraphExport
{
    /// <summary>Name of the edge input.</summary>
    public const string EdgeIndexName = "edge_index";

    /// <summary>Name of the edge-weight input.</summary>
    public const string EdgeWeightName = "edge_weight";

    /// <summary>Edges as [E] value names: sources, targets and weights.</summary>
    public readonly record struct Edges(string Source, string Target, string Weight);

    /// <summary>Declares (once) the edge inputs and splits <c>edge_index</c> into sources and targets.</summary>
    public static Edges Read(OnnxExportContext c)
    {
        string index = c.Input(EdgeIndexName, int64: true, "2", "E");
        string weight = c.Input(EdgeWeightName, int64: false, "E");
        string flat = c.Int64Initializer("flat", -1);
        string Row(long r) => c.Node("Reshape", [c.Node("Gather", [index, c.Int64Initializer("row", r)], OnnxAttribute.Int("axis", 0)), flat]);
        return new Edges(Row(0), Row(1), weight);
    }

    /// <summary>
    /// Graph.WithSelfLoops: a self loop for every node, weighted 1 where the node had none and 0 where
    /// it had one (a weight-0 edge adds nothing to a sum, a degree or an attention softmax), so the
    /// number of edges does not depend on the data.
    /// </summary>
    public static Edges WithRemainingSelfLoops(OnnxExportContext c, string x, Edges e)
    {
        string n = NodeCount(c, x);
        string scalar = c.Node("Reshape", [n, c.Int64Initializer("scalar_shape")]);
        string zero = c.Node("Reshape", [c.Int64Initializer("zero", 0), c.Int64Initializer("scalar_shape")]);
        string one = c.Node("Reshape", [c.Int64Initializer("one", 1), c.Int64Initializer("scalar_shape")]);
        string nodes = c.Node("Range", [zero, scalar, one]);
        string isLoop = c.Node("Cast", [c.Node("Equal", [e.Source, e.Target])], OnnxAttribute.Int("to", 1));
        string loops = ScatterAdd(c, c.Node("ConstantOfShape", [n]), e.Target, isLoop);
        string missing = c.Node("Cast", [c.Node("Less", [loops, c.Constant(0.5f)])], OnnxAttribute.Int("to", 1));
        return new Edges(
            c.Node("Concat", [e.Source, nodes], OnnxAttribute.Int("axis", 0)),
            c.Node("Concat", [e.Target, nodes], OnnxAttribute.Int("axis", 0)),
            c.Node("Concat", [e.Weight, missing], OnnxAttribute.Int("axis", 0)));
    }

    /// <summary>[N] as a 1-D int64 value: the number of rows of <paramref name="x"/>.</summary>
    public static string NodeCount(OnnxExportContext c, string x) =>
        c.Node("Shape", [x], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 1));

    /// <summary>Ones shaped like the [E] value <paramref name="edgeValue"/>.</summary>
    public static string Ones(OnnxExportContext c, string edgeValue) =>
        c.Node("Expand", [c.Constant(1f), c.Node("Shape", [edgeValue])]);

    /// <summary>zeros shaped like <paramref name="zeros"/>' rows, plus, at each target, the sum of its edges' <paramref name="updates"/>.</summary>
    public static string ScatterAdd(OnnxExportContext c, string zeros, string target, string updates) =>
        c.Node("ScatterND", [zeros, Unsqueeze(c, target, 1), updates], OnnxAttribute.String("reduction", "add"));

    /// <summary>Zeros of <paramref name="like"/>'s shape.</summary>
    public static string ZerosLike(OnnxExportContext c, string like) => c.Node("ConstantOfShape", [c.Node("Shape", [like])]);

    /// <summary>Σ_{j → i} norm_e · x_j for every node i: rows of <paramref name="x"/> gathered at the sources, scaled, summed at the targets.</summary>
    public static string Propagate(OnnxExportContext c, string x, Edges e, string norm)
    {
        string messages = c.Node("Mul", [c.Node("Gather", [x, e.Source], OnnxAttribute.Int("axis", 0)), Unsqueeze(c, norm, 1)]);
        return ScatterAdd(c, ZerosLike(c, x), e.Target, messages);
    }

    /// <summary>Σ of <paramref name="weight"/> over each node's incoming edges ([N]).</summary>
    public static string Degree(OnnxExportContext c, string x, Edges e, string weight) =>
        ScatterAdd(c, c.Node("ConstantOfShape", [NodeCount(c, x)]), e.Target, weight);

    /// <summary>d^<paramref name="power"/> where d &gt; 0, else 0 (a node without edges).</summary>
    public static string PowerOrZero(OnnxExportContext c, string degree, float power)
    {
        string positive = c.Node("Greater", [degree, c.Constant(0f)]);
        string safe = c.Node("Where", [positive, degree, c.Constant(1f)]);
        return c.Node("Where", [positive, c.Node("Pow", [safe, c.Constant(power)]), c.Constant(0f)]);
    }

    /// <summary>x·Wᵀ (+ b) for a weight [out, in] under its state-dict name.</summary>
    public static string Linear(OnnxExportContext c, string x, string weightName, Tensors.Tensor weight, string? biasName = null, Tensors.Tensor? bias = null)
    {
        string w = c.Initializer(weightName, weight);
        return bias is null || biasName is null
            ? c.Node("Gemm", [x, w], OnnxAttribute.Int("transB", 1))
            : c.Node("Gemm", [x, w, c.Initializer(biasName, bias)], OnnxAttribute.Int("transB", 1));
    }

    /// <summary><paramref name="value"/> with a new axis of length 1 at <paramref name="axis"/>.</summary>
    public static string Unsqueeze(OnnxExportContext c, string value, long axis) =>
        c.Node("Unsqueeze", [value, c.Int64Initializer("axes", axis)]);
}

/// <summary>
/// <see cref="GCNConv"/>: X·Wᵀ, then Σ over incoming edges of dᵢ^-½·w·dⱼ^-½·hⱼ (degrees with the
/// remaining self loops), plus the bias.
/// </summary>
internal sealed class GCNConvExporter : OnnxLayerExporter<GCNConv>
{
    public override string Export(GCNConv layer, OnnxValue input, OnnxExportContext context)
    {
        var e = GraphExport.Read(context);
        if (layer.AddSelfLoops) e = GraphExport.WithRemainingSelfLoops(context, input.Name, e);
        string norm = e.Weight;
        if (layer.Normalize)
        {
            string scale = GraphExport.PowerOrZero(context, GraphExport.Degree(context, input.Name, e, e.Weight), -0.5f);
            string source = context.Node("Gather", [scale, e.Source], OnnxAttribute.Int("axis", 0));
            string target = context.Node("Gather", [scale, e.Target], OnnxAttribute.Int("axis", 0));
            norm = context.Node("Mul", [context.Node("Mul", [source, e.Weight]), target]);
        }
        string h = GraphExport.Linear(context, input.Name, "lin.weight", layer.Weight);
        string y = GraphExport.Propagate(context, h, e, norm);
        return layer.Bias is { } b ? context.Node("Add", [y, context.Initializer("bias", b)]) : y;
    }
}

/// <summary>
/// <see cref="SAGEConv"/>: W_l·(weighted mean over incoming edges of xⱼ) + b + W_r·xᵢ.
/// </summary>
internal sealed class SAGEConvExporter : OnnxLayerExporter<SAGEConv>
{
    public override string Export(SAGEConv layer, OnnxValue input, OnnxExportContext context)
    {
        var e = GraphExport.Read(context);
        string scale = GraphExport.PowerOrZero(context, GraphExport.Degree(context, input.Name, e, e.Weight), -1f);
        string norm = context.Node("Mul", [e.Weight, context.Node("Gather", [scale, e.Target], OnnxAttribute.Int("axis", 0))]);
        string mean = GraphExport.Propagate(context, GraphExport.Linear(context, input.Name, "lin_l.weight", layer.NeighborWeight), e, norm);
        if (layer.RootWeight is { } root)
            return context.Node("Add", [mean, GraphExport.Linear(context, input.Name, "lin_r.weight", root, "lin_l.bias", layer.Bias)]);
        return layer.Bias is { } b ? context.Node("Add", [mean, context.Initializer("lin_l.bias", b)]) : mean;
    }
}

/// <summary>
/// <see cref="GATConv"/>: per-head scores LeakyReLU(a_src·hⱼ + a_dst·hᵢ), a softmax over each node's
/// incoming edges (self loops included), the weighted sum of hⱼ, heads concatenated or averaged,
/// plus the bias. Edge weights are not read (as in the layer).
/// </summary>
/// <remarks>
/// Opset 17 has no scatter-max, so the softmax subtracts an upper bound of each node's largest score
/// instead of the largest score itself: mᵢ = LeakyReLU(maxⱼ a_src·hⱼ + a_dst·hᵢ) over all nodes j
/// (LeakyReLU is increasing). The softmax is unchanged and nothing overflows; only a node whose
/// every score lies ~87 below mᵢ would underflow, far outside what trained attention vectors give.
/// </remarks>
internal sealed class GATConvExporter : OnnxLayerExporter<GATConv>
{
    public override string Export(GATConv layer, OnnxValue input, OnnxExportContext context)
    {
        int heads = layer.Heads, channels = layer.OutChannels;
        var read = GraphExport.Read(context);
        var e = read with { Weight = GraphExport.Ones(context, read.Source) };
        if (layer.AddSelfLoops) e = GraphExport.WithRemainingSelfLoops(context, input.Name, e);
        var slope = OnnxAttribute.Float("alpha", layer.NegativeSlope);

        string h = GraphExport.Linear(context, input.Name, "lin.weight", layer.Weight);
        string perHead = context.Node("Reshape", [h, context.Int64Initializer("heads_shape", -1, heads, channels)]);
        string Score(string name, Tensors.Tensor att) =>
            context.Node("ReduceSum", [context.Node("Mul", [perHead, context.Initializer(name, att)]), context.Int64Initializer("channel_axis", 2)],
                OnnxAttribute.Int("keepdims", 0));
        string source = Score("att_src", layer.AttentionSource);
        string target = Score("att_dst", layer.AttentionTarget);
        string Gather(string value, string index) => context.Node("Gather", [value, index], OnnxAttribute.Int("axis", 0));

        string scores = context.Node("LeakyRelu", [context.Node("Add", [Gather(source, e.Source), Gather(target, e.Target)])], slope);
        string maxSource = context.Node("ReduceMax", [source], OnnxAttribute.Ints("axes", 0), OnnxAttribute.Int("keepdims", 1));
        string bound = context.Node("LeakyRelu", [context.Node("Add", [maxSource, target])], slope);
        string exp = context.Node("Exp", [context.Node("Sub", [scores, Gather(bound, e.Target)])]);
        exp = context.Node("Mul", [exp, GraphExport.Unsqueeze(context, e.Weight, 1)]);
        string sums = GraphExport.ScatterAdd(context, GraphExport.ZerosLike(context, source), e.Target, exp);
        string alpha = context.Node("Div", [exp, Gather(sums, e.Target)]);

        string messages = context.Node("Mul", [Gather(perHead, e.Source), GraphExport.Unsqueeze(context, alpha, 2)]);
        string y = GraphExport.ScatterAdd(context, GraphExport.ZerosLike(context, perHead), e.Target, messages);
        y = layer.Concat || heads == 1
            ? context.Node("Reshape", [y, context.Int64Initializer("output_shape", -1, heads * channels)])
            : context.Node("ReduceMean", [y], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
        return layer.Bias is { } b ? context.Node("Add", [y, context.Initializer("bias", b)]) : y;
    }
}
