using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// One encoder block of "Attention Is All You Need", as PyTorch's <c>nn.TransformerEncoderLayer</c>
/// with <c>batch_first=True</c>: self-attention, then a position-wise feed-forward network
/// linear2(dropout(act(linear1(x)))), each wrapped in a residual connection and layer norm.
/// </summary>
/// <remarks>
/// Post-norm (default, the paper's): x = norm1(x + dropout1(SA(x))), x = norm2(x + dropout2(FF(x))).
/// Pre-norm (<c>normFirst</c>): x = x + dropout1(SA(norm1(x))), x = x + dropout2(FF(norm2(x))).
/// State-dict names are PyTorch's: <c>self_attn.in_proj_weight</c>, <c>self_attn.in_proj_bias</c>,
/// <c>self_attn.out_proj.weight/bias</c>, <c>linear1.*</c>, <c>linear2.*</c>, <c>norm1.*</c>, <c>norm2.*</c>.
/// </remarks>
/// <example><code>
/// var layer = new TransformerEncoderLayer(256, 4, rng, dimFeedforward: 1024);
/// var y = layer.Forward(x, srcKeyPaddingMask: AttentionMask.Boolean(padding));   // x, y [B, L, 256]
/// </code></example>
public sealed class TransformerEncoderLayer : Module
{
    /// <summary>An encoder layer over embeddings of size <paramref name="dModel"/>.</summary>
    /// <param name="dModel">E, the embedding size.</param>
    /// <param name="nhead">Attention heads; must divide E.</param>
    /// <param name="rng">Seeded source of the initial weights and the dropout masks.</param>
    /// <param name="dimFeedforward">Hidden size of the feed-forward network.</param>
    /// <param name="dropout">Dropout probability (attention weights and the three dropouts), training only.</param>
    /// <param name="activation"><c>relu</c> or <c>gelu</c>.</param>
    /// <param name="layerNormEps">ε of the layer norms.</param>
    /// <param name="normFirst">Layer norm before each block (pre-norm) instead of after the residual sum.</param>
    /// <exception cref="ArgumentException">The head count does not divide E, or the activation is unknown.</exception>
    public TransformerEncoderLayer(int dModel, int nhead, Rng rng, int dimFeedforward = 2048, double dropout = 0.1,
        string activation = "relu", double layerNormEps = 1e-5, bool normFirst = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimFeedforward, 1);
        Gelu = TransformerBlocks.IsGelu(activation);
        NormFirst = normFirst;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, rng, dropout));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, rng));
        Dropout = RegisterModule("dropout", new Dropout(dropout, rng));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, rng));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, rng));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, rng));
    }

    /// <summary>The self-attention (<c>self_attn</c>).</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>First feed-forward layer, E → dimFeedforward.</summary>
    public Linear Linear1 { get; }

    /// <summary>Second feed-forward layer, dimFeedforward → E.</summary>
    public Linear Linear2 { get; }

    /// <summary>Layer norm of the attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Layer norm of the feed-forward block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Dropout inside the feed-forward network.</summary>
    public Dropout Dropout { get; }

    /// <summary>Dropout on the attention block's output.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>Dropout on the feed-forward block's output.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>True for pre-norm.</summary>
    public bool NormFirst { get; }

    /// <summary>True when the feed-forward activation is GELU (else ReLU).</summary>
    public bool Gelu { get; }

    /// <summary>The layer in a <see cref="Sequential"/>: the input's padding mask hides the padding keys (see <see cref="TransformerEncoder.Forward(Tensor)"/>).</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null, TransformerEncoder.KeyPadding(input));

    /// <summary>Output position t belongs to input position t, so the padding mask passes on.</summary>
    public override bool SupportsMasking => true;

    /// <summary>Encodes <paramref name="src"/> [B, L, E] → [B, L, E].</summary>
    /// <param name="src">The sequence.</param>
    /// <param name="srcMask">Attention mask [L, L] or [B·H, L, L] (PyTorch's <c>src_mask</c>).</param>
    /// <param name="srcKeyPaddingMask">[B, L], non-zero (boolean) at padding positions.</param>
    /// <param name="isCausal">Each position attends only to itself and earlier ones (a decoder-only language model).</param>
    /// <param name="cache">Keys and values of the earlier positions when decoding step by step (inference only).</param>
    public Tensor Forward(Tensor src, AttentionMask? srcMask = null, AttentionMask? srcKeyPaddingMask = null, bool isCausal = false,
        KeyValueCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(src);
        var x = src;
        if (NormFirst)
        {
            x = x + SelfAttentionBlock(Norm1.Forward(x), srcMask, srcKeyPaddingMask, isCausal, cache);
            return x + FeedForwardBlock(Norm2.Forward(x));
        }
        x = Norm1.Forward(x + SelfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal, cache));
        return Norm2.Forward(x + FeedForwardBlock(x));
    }

    /// <summary><c>TransformerEncoderLayer(E=256, heads=4, ff=1024)</c>.</summary>
    public override string Describe() => TransformerBlocks.Describe(GetType().Name, SelfAttn, Linear1, Gelu, NormFirst);

    private Tensor SelfAttentionBlock(Tensor x, AttentionMask? mask, AttentionMask? padding, bool isCausal, KeyValueCache? cache) =>
        Dropout1.Forward(SelfAttn.Forward(x, x, x, padding, needWeights: false, attnMask: mask, isCausal: isCausal, cache: cache).Output);

    private Tensor FeedForwardBlock(Tensor x) =>
        Dropout2.Forward(TransformerBlocks.FeedForward(x, Linear1, Dropout, Linear2, Gelu));
}
