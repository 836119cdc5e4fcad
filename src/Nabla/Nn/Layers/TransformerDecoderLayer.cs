using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// One decoder block of "Attention Is All You Need", as PyTorch's <c>nn.TransformerDecoderLayer</c>
/// with <c>batch_first=True</c>: masked self-attention over the target, attention over the
/// encoder's memory (<c>multihead_attn</c>), then the feed-forward network, each with a residual
/// connection and layer norm.
/// </summary>
/// <remarks>
/// Post-norm (default): x = norm1(x + SA(x)), x = norm2(x + MHA(x, memory)), x = norm3(x + FF(x));
/// pre-norm (<c>normFirst</c>): x = x + SA(norm1(x)), x = x + MHA(norm2(x), memory), x = x + FF(norm3(x));
/// each block's output passes its dropout (dropout1..3) first. State-dict names are PyTorch's:
/// <c>self_attn.*</c>, <c>multihead_attn.*</c>, <c>linear1.*</c>, <c>linear2.*</c>, <c>norm1.*</c>…<c>norm3.*</c>.
/// </remarks>
public sealed class TransformerDecoderLayer : Module
{
    /// <summary>A decoder layer over embeddings of size <paramref name="dModel"/>.</summary>
    /// <param name="dModel">E, the embedding size.</param>
    /// <param name="nhead">Attention heads; must divide E.</param>
    /// <param name="rng">Seeded source of the initial weights and the dropout masks.</param>
    /// <param name="dimFeedforward">Hidden size of the feed-forward network.</param>
    /// <param name="dropout">Dropout probability, training only.</param>
    /// <param name="activation"><c>relu</c> or <c>gelu</c>.</param>
    /// <param name="layerNormEps">ε of the layer norms.</param>
    /// <param name="normFirst">Pre-norm instead of post-norm.</param>
    /// <exception cref="ArgumentException">The head count does not divide E, or the activation is unknown.</exception>
    public TransformerDecoderLayer(int dModel, int nhead, Rng rng, int dimFeedforward = 2048, double dropout = 0.1,
        string activation = "relu", double layerNormEps = 1e-5, bool normFirst = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimFeedforward, 1);
        Gelu = TransformerBlocks.IsGelu(activation);
        NormFirst = normFirst;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, rng, dropout));
        MultiheadAttn = RegisterModule("multihead_attn", new MultiheadAttention(dModel, nhead, rng, dropout));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, rng));
        Dropout = RegisterModule("dropout", new Dropout(dropout, rng));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, rng));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps));
        Norm3 = RegisterModule("norm3", new LayerNorm(dModel, layerNormEps));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, rng));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, rng));
        Dropout3 = RegisterModule("dropout3", new Dropout(dropout, rng));
    }

    /// <summary>Self-attention over the target (<c>self_attn</c>).</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>Attention over the memory (<c>multihead_attn</c>).</summary>
    public MultiheadAttention MultiheadAttn { get; }

    /// <summary>First feed-forward layer.</summary>
    public Linear Linear1 { get; }

    /// <summary>Second feed-forward layer.</summary>
    public Linear Linear2 { get; }

    /// <summary>Layer norm of the self-attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Layer norm of the memory-attention block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Layer norm of the feed-forward block.</summary>
    public LayerNorm Norm3 { get; }

    /// <summary>Dropout inside the feed-forward network.</summary>
    public Dropout Dropout { get; }

    /// <summary>Dropout on the self-attention block's output.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>Dropout on the memory-attention block's output.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>Dropout on the feed-forward block's output.</summary>
    public Dropout Dropout3 { get; }

    /// <summary>True for pre-norm.</summary>
    public bool NormFirst { get; }

    /// <summary>True when the feed-forward activation is GELU (else ReLU).</summary>
    public bool Gelu { get; }

    /// <summary>A decoder layer needs the encoder's memory: call the overload that takes it.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{Describe()} needs the encoder's memory: call Forward(tgt, memory, …)");

    /// <summary>Decodes <paramref name="tgt"/> [B, L_t, E] attending to <paramref name="memory"/> [B, L_s, E] → [B, L_t, E].</summary>
    /// <param name="tgt">The target sequence (with a cache: only its new positions).</param>
    /// <param name="memory">The encoder's output.</param>
    /// <param name="tgtMask">Self-attention mask [L_t, L_t] or [B·H, L_t, L_t] (usually the square subsequent mask).</param>
    /// <param name="memoryMask">Memory-attention mask [L_t, L_s] or [B·H, L_t, L_s].</param>
    /// <param name="tgtKeyPaddingMask">[B, L_t], non-zero (boolean) at target padding.</param>
    /// <param name="memoryKeyPaddingMask">[B, L_s], non-zero (boolean) at source padding.</param>
    /// <param name="tgtIsCausal">Causal self-attention without a mask tensor.</param>
    /// <param name="cache">Self-attention keys/values of earlier steps (growing) and the memory's (static); inference only.</param>
    public Tensor Forward(Tensor tgt, Tensor memory, AttentionMask? tgtMask = null, AttentionMask? memoryMask = null,
        AttentionMask? tgtKeyPaddingMask = null, AttentionMask? memoryKeyPaddingMask = null, bool tgtIsCausal = false,
        (KeyValueCache Self, KeyValueCache Memory)? cache = null)
    {
        ArgumentNullException.ThrowIfNull(tgt);
        ArgumentNullException.ThrowIfNull(memory);
        var x = tgt;
        var selfCache = cache?.Self;
        var memoryCache = cache?.Memory;
        if (NormFirst)
        {
            x = x + SelfAttentionBlock(Norm1.Forward(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal, selfCache);
            x = x + MemoryBlock(Norm2.Forward(x), memory, memoryMask, memoryKeyPaddingMask, memoryCache);
            return x + FeedForwardBlock(Norm3.Forward(x));
        }
        x = Norm1.Forward(x + SelfAttentionBlock(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal, selfCache));
        x = Norm2.Forward(x + MemoryBlock(x, memory, memoryMask, memoryKeyPaddingMask, memoryCache));
        return Norm3.Forward(x + FeedForwardBlock(x));
    }

    /// <summary><c>TransformerDecoderLayer(E=256, heads=4, ff=1024)</c>.</summary>
    public override string Describe() => TransformerBlocks.Describe(GetType().Name, SelfAttn, Linear1, Gelu, NormFirst);

    private Tensor SelfAttentionBlock(Tensor x, AttentionMask? mask, AttentionMask? padding, bool isCausal, KeyValueCache? cache) =>
        Dropout1.Forward(SelfAttn.Forward(x, x, x, padding, needWeights: false, attnMask: mask, isCausal: isCausal, cache: cache).Output);

    private Tensor MemoryBlock(Tensor x, Tensor memory, AttentionMask? mask, AttentionMask? padding, KeyValueCache? cache) =>
        Dropout2.Forward(MultiheadAttn.Forward(x, memory, memory, padding, needWeights: false, attnMask: mask, cache: cache).Output);

    private Tensor FeedForwardBlock(Tensor x) =>
        Dropout3.Forward(TransformerBlocks.FeedForward(x, Linear1, Dropout, Linear2, Gelu));
}
