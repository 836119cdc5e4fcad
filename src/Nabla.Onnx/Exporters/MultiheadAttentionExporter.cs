using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="MultiheadAttention"/> decomposed into standard operators: Q, K, V = x·W_{q,k,v}ᵀ + b
/// (<c>MatMul</c> with column blocks <c>Slice</c>d from the transposed <c>in_proj_weight</c>), split into
/// heads by <c>Reshape</c>/<c>Transpose</c>, softmax(Q_h·K_hᵀ/√(E/H) + mask)·V_h, heads merged and
/// projected by <c>out_proj</c>. Alone (in a <see cref="Sequential"/>) it is self-attention without
/// masks, as <see cref="MultiheadAttention.Forward(Nabla.Tensors.Tensor)"/>.
/// </summary>
internal sealed class MultiheadAttentionExporter : OnnxLayerExporter<MultiheadAttention>
{
    public override string Export(MultiheadAttention layer, OnnxValue input, OnnxExportContext context) => Attend(layer, input, input, null, context);

    /// <summary>
    /// Attention from <paramref name="query"/> [B, L_q, E] over <paramref name="keyValue"/> [B, L_k, E]
    /// with an optional additive <paramref name="mask"/> broadcasting to [B, H, L_q, L_k] (−∞ hides a key);
    /// exported under the current prefix, which must be the attention module's. A query whose keys
    /// are all hidden gets zeros, as in Nabla (the softmax of −∞ only is NaN, replaced by 0).
    /// </summary>
    internal static string Attend(MultiheadAttention layer, OnnxValue query, OnnxValue keyValue, string? mask, OnnxExportContext context)
    {
        int e = layer.EmbedDim;
        string weightT = context.Node("Transpose", [context.Initializer("in_proj_weight", layer.InProjWeight)], OnnxAttribute.Ints("perm", 1, 0));
        string? bias = layer.InProjBias is { } b ? context.Initializer("in_proj_bias", b) : null;
        string q = Heads(Project(query.Name, weightT, bias, 0, e, context), layer, context, 0, 2, 1, 3);
        string kT = Heads(Project(keyValue.Name, weightT, bias, e, e, context), layer, context, 0, 2, 3, 1);
        string v = Heads(Project(keyValue.Name, weightT, bias, 2 * e, e, context), layer, context, 0, 2, 1, 3);
        string scores = context.Node("Mul", [context.Node("MatMul", [q, kT]), context.Constant(1f / MathF.Sqrt(layer.HeadDim))]);
        if (mask is not null) scores = context.Node("Add", [scores, mask]);
        string weights = context.Node("Softmax", [scores], OnnxAttribute.Int("axis", -1));
        if (mask is not null) weights = context.Node("Where", [context.Node("IsNaN", [weights]), context.Constant(0f), weights]);
        string merged = context.Node("Transpose", [context.Node("MatMul", [weights, v])], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
        string attended = context.Node("Reshape", [merged, context.Int64Initializer("merged_shape", 0, 0, e)]);
        return context.Export(layer.OutProj, new OnnxValue(attended, query.Shape), "out_proj").Name;
    }

    // x·W[first … first + e − 1]ᵀ + b[first … first + e − 1]: one third of the stacked projection.
    private static string Project(string x, string weightT, string? bias, int first, int e, OnnxExportContext context)
    {
        string starts = context.Int64Initializer("starts", first), ends = context.Int64Initializer("ends", first + e);
        string w = context.Node("Slice", [weightT, starts, ends, context.Int64Initializer("axes", 1)]);
        string y = context.Node("MatMul", [x, w]);
        return bias is null ? y : context.Node("Add", [y, context.Node("Slice", [bias, starts, ends, context.Int64Initializer("axes", 0)])]);
    }

    // [B, L, E] → [B, L, H, E/H] → the axes in perm order ([B, H, L, d] or, for keys, [B, H, d, L]).
    private static string Heads(string x, MultiheadAttention layer, OnnxExportContext context, params long[] perm) =>
        context.Node("Transpose", [context.Node("Reshape", [x, context.Int64Initializer("heads_shape", 0, 0, layer.NumHeads, layer.HeadDim)])],
            OnnxAttribute.Ints("perm", perm));

    /// <summary>
    /// The additive key padding mask [N, 1, 1, L] (broadcasting over heads and queries): −∞ where the
    /// bool value <paramref name="hidden"/> [N, L] is true, else 0.
    /// </summary>
    internal static string KeyPaddingMask(string hidden, OnnxExportContext context)
    {
        string additive = context.Node("Where", [hidden, context.Constant(float.NegativeInfinity), context.Constant(0f)]);
        return context.Node("Unsqueeze", [additive, context.Int64Initializer("mask_axes", 1, 2)]);
    }

    /// <summary>The key padding mask hiding the padding of a value's <see cref="OnnxValue.Mask"/> (1 = real position), or null without one.</summary>
    internal static string? KeyPaddingMask(OnnxValue x, OnnxExportContext context) =>
        x.Mask is { } mask ? KeyPaddingMask(context.Node("Equal", [mask, context.Constant(0f)]), context) : null;

    /// <summary>The additive causal mask [L_q, L_k]: −∞ where key j comes after query i (j &gt; i + L_k − L_q, keys aligned to the end as Nabla's), else 0.</summary>
    internal static string CausalMask(int queries, int keys, OnnxExportContext context)
    {
        var mask = new float[queries * keys];
        for (int i = 0; i < queries; i++)
            for (int j = 0; j < keys; j++)
                if (j > i + keys - queries) mask[i * keys + j] = float.NegativeInfinity;
        return context.Initializer("causal_mask", mask, queries, keys);
    }
}
