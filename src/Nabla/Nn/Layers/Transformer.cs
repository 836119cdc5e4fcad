using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// The encoder-decoder model of "Attention Is All You Need", as PyTorch's <c>nn.Transformer</c> with
/// <c>batch_first=True</c>: <c>encoder</c> (a <see cref="TransformerEncoder"/> with a final norm) turns
/// the source into a memory; <c>decoder</c> (a <see cref="TransformerDecoder"/> with a final norm)
/// attends to it and to the target so far. Token embeddings, positional encodings and the output
/// projection are the caller's, as in PyTorch.
/// </summary>
/// <remarks>
/// Initialization follows PyTorch's <c>_reset_parameters</c>: every parameter with two or more
/// dimensions is redrawn Xavier-uniform. State-dict names are PyTorch's (<c>encoder.layers.0.self_attn.in_proj_weight</c>,
/// <c>encoder.norm.weight</c>, <c>decoder.layers.1.multihead_attn.out_proj.bias</c>, …), so weights load from either side.
/// </remarks>
/// <example><code>
/// var model = new Transformer(128, 4, rng, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512, dropout: 0.1f);
/// var y = model.Forward(src, tgt, tgtIsCausal: true, srcKeyPaddingMask: AttentionMask.Boolean(srcPad),
///     memoryKeyPaddingMask: AttentionMask.Boolean(srcPad));   // [B, L_t, 128]
/// </code></example>
public sealed class Transformer : Module
{
    /// <summary>An encoder-decoder transformer.</summary>
    /// <param name="dModel">E, the embedding size.</param>
    /// <param name="nhead">Attention heads; must divide E.</param>
    /// <param name="rng">Seeded source of the initial weights and the dropout masks.</param>
    /// <param name="numEncoderLayers">Encoder layers.</param>
    /// <param name="numDecoderLayers">Decoder layers.</param>
    /// <param name="dimFeedforward">Hidden size of the feed-forward networks.</param>
    /// <param name="dropout">Dropout probability, training only.</param>
    /// <param name="activation"><c>relu</c> or <c>gelu</c>.</param>
    /// <param name="layerNormEps">ε of the layer norms.</param>
    /// <param name="normFirst">Pre-norm layers.</param>
    public Transformer(int dModel, int nhead, Rng rng, int numEncoderLayers = 6, int numDecoderLayers = 6, int dimFeedforward = 2048,
        double dropout = 0.1, string activation = "relu", double layerNormEps = 1e-5, bool normFirst = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Encoder = RegisterModule("encoder", new TransformerEncoder(
            _ => new TransformerEncoderLayer(dModel, nhead, rng, dimFeedforward, dropout, activation, layerNormEps, normFirst),
            numEncoderLayers, new LayerNorm(dModel, layerNormEps)));
        Decoder = RegisterModule("decoder", new TransformerDecoder(
            _ => new TransformerDecoderLayer(dModel, nhead, rng, dimFeedforward, dropout, activation, layerNormEps, normFirst),
            numDecoderLayers, new LayerNorm(dModel, layerNormEps)));
        DModel = dModel;
        NHead = nhead;
        var xavier = Init.GlorotUniform();
        foreach (var p in Parameters())
            if (p.Rank > 1) xavier.Initialize(p, rng);
    }

    /// <summary>E.</summary>
    public int DModel { get; }

    /// <summary>Attention heads.</summary>
    public int NHead { get; }

    /// <summary>The encoder (<c>encoder</c>).</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>The decoder (<c>decoder</c>).</summary>
    public TransformerDecoder Decoder { get; }

    /// <summary>A transformer needs a source and a target: call the overload that takes both.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("Transformer needs a source and a target: call Forward(src, tgt, …)");

    /// <summary>
    /// decoder(tgt, encoder(src)): <paramref name="src"/> [B, L_s, E] and <paramref name="tgt"/> [B, L_t, E] → [B, L_t, E].
    /// Masks as in PyTorch's <c>nn.Transformer.forward</c>.
    /// </summary>
    public Tensor Forward(Tensor src, Tensor tgt, AttentionMask? srcMask = null, AttentionMask? tgtMask = null, AttentionMask? memoryMask = null,
        AttentionMask? srcKeyPaddingMask = null, AttentionMask? tgtKeyPaddingMask = null, AttentionMask? memoryKeyPaddingMask = null,
        bool tgtIsCausal = false)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(tgt);
        if (src.Rank != 3 || tgt.Rank != 3 || src.Shape[0] != tgt.Shape[0] || src.Shape[2] != DModel || tgt.Shape[2] != DModel)
            throw new ShapeMismatchException($"Transformer: src {src.Shape} and tgt {tgt.Shape} must be [B, L_s, {DModel}] and [B, L_t, {DModel}] with the same batch");
        var memory = Encoder.Forward(src, srcMask, srcKeyPaddingMask);
        return Decoder.Forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal);
    }
}
