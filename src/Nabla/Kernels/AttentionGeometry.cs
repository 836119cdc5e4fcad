namespace Nabla.Kernels;

/// <summary>
/// Sizes of one scaled dot-product attention call: B batches of H heads, L_q queries attending
/// over L_k keys, head widths d (queries and keys) and d_v (values), the score scale (usually
/// 1/√d) and whether attention is causal.
/// </summary>
/// <remarks>
/// Causal attention is aligned to the end of the keys: query i sits at position L_k − L_q + i and
/// sees keys 0 … L_k − L_q + i. With L_q = L_k that is PyTorch's square subsequent mask (key j
/// hidden from query i when j &gt; i); with one new query over a cache of past keys it sees them all.
/// </remarks>
public readonly struct AttentionGeometry
{
    /// <summary>The sizes of one attention call.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a head width is zero.</exception>
    public AttentionGeometry(int batch, int heads, int queryLength, int keyLength, int headDim, int valueHeadDim, float scale, bool causal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queryLength);
        ArgumentOutOfRangeException.ThrowIfNegative(keyLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(headDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(valueHeadDim, 1);
        Batch = batch;
        Heads = heads;
        QueryLength = queryLength;
        KeyLength = keyLength;
        HeadDim = headDim;
        ValueHeadDim = valueHeadDim;
        Scale = scale;
        Causal = causal;
    }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>H.</summary>
    public int Heads { get; }

    /// <summary>L_q, queries per batch.</summary>
    public int QueryLength { get; }

    /// <summary>L_k, keys (and values) per batch.</summary>
    public int KeyLength { get; }

    /// <summary>d, the width of one head's queries and keys.</summary>
    public int HeadDim { get; }

    /// <summary>d_v, the width of one head's values (and of its output).</summary>
    public int ValueHeadDim { get; }

    /// <summary>Factor applied to Q·Kᵀ before the softmax.</summary>
    public float Scale { get; }

    /// <summary>True when query i may not see keys after its own position (see remarks).</summary>
    public bool Causal { get; }

    /// <summary>B·H, the number of independent (batch, head) pieces.</summary>
    public int Pieces => Batch * Heads;

    /// <summary>L_q·L_k, the size of one piece's score matrix.</summary>
    public int ScoreSize => QueryLength * KeyLength;

    /// <summary>Keys query <paramref name="i"/> may see: all of them, or up to its own position when causal.</summary>
    public int Visible(int i) => Causal ? Math.Clamp(KeyLength - QueryLength + i + 1, 0, KeyLength) : KeyLength;
}

/// <summary>
/// A [B, L, H·w] operand read in place: head h of batch b, row i starts at
/// <c>Offset + b·BatchStride + i·RowStride + h·w</c> (elements within a row are contiguous). This
/// lets attention read keys and values from a cache larger than the part in use.
/// </summary>
public readonly struct AttentionOperand
{
    /// <summary>An operand over <paramref name="data"/>.</summary>
    public AttentionOperand(float[] data, int offset, int batchStride, int rowStride)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Data = data;
        Offset = offset;
        BatchStride = batchStride;
        RowStride = rowStride;
    }

    /// <summary>The storage.</summary>
    public float[] Data { get; }

    /// <summary>Index of element [0, 0, 0].</summary>
    public int Offset { get; }

    /// <summary>Elements between consecutive batches.</summary>
    public int BatchStride { get; }

    /// <summary>Elements between consecutive rows (positions).</summary>
    public int RowStride { get; }

    /// <summary>The span holding head <paramref name="h"/> of batch <paramref name="b"/>: rows × width at <see cref="RowStride"/>.</summary>
    internal ReadOnlySpan<float> Head(int b, int h, int rows, int width) =>
        rows == 0 ? default : Data.AsSpan(Offset + b * BatchStride + h * width, (rows - 1) * RowStride + width);
}

/// <summary>
/// The masks of an attention call. <c>AttnMask</c> is [L_q, L_k] (shared by every batch and head)
/// or [B·H, L_q, L_k]; <c>KeyPaddingMask</c> is [B, L_k]. A boolean mask hides the keys where it
/// is non-zero (PyTorch's <c>True</c>); an additive mask is added to the scores (−∞ hides).
/// </summary>
public readonly struct AttentionMasks
{
    /// <summary>Masks over the given arrays (null for none).</summary>
    /// <param name="attnMask">Attention mask values, row-major.</param>
    /// <param name="attnMaskOffset">Index of its first element.</param>
    /// <param name="attnMaskPerPiece">True for [B·H, L_q, L_k], false for a shared [L_q, L_k].</param>
    /// <param name="attnMaskBoolean">True when non-zero means hidden, false when the values are added.</param>
    /// <param name="keyPaddingMask">Key padding mask values [B, L_k], row-major.</param>
    /// <param name="keyPaddingMaskOffset">Index of its first element.</param>
    /// <param name="keyPaddingMaskBoolean">True when non-zero means padding, false when the values are added.</param>
    public AttentionMasks(float[]? attnMask, int attnMaskOffset, bool attnMaskPerPiece, bool attnMaskBoolean,
        float[]? keyPaddingMask, int keyPaddingMaskOffset, bool keyPaddingMaskBoolean)
    {
        AttnMask = attnMask;
        AttnMaskOffset = attnMaskOffset;
        AttnMaskPerPiece = attnMaskPerPiece;
        AttnMaskBoolean = attnMaskBoolean;
        KeyPaddingMask = keyPaddingMask;
        KeyPaddingMaskOffset = keyPaddingMaskOffset;
        KeyPaddingMaskBoolean = keyPaddingMaskBoolean;
    }

    /// <summary>No masks.</summary>
    public static AttentionMasks None => default;

    /// <summary>Attention mask values, or null.</summary>
    public float[]? AttnMask { get; }

    /// <summary>Index of the attention mask's first element.</summary>
    public int AttnMaskOffset { get; }

    /// <summary>True for a [B·H, L_q, L_k] attention mask, false for a shared [L_q, L_k].</summary>
    public bool AttnMaskPerPiece { get; }

    /// <summary>True when a non-zero attention mask value hides the key.</summary>
    public bool AttnMaskBoolean { get; }

    /// <summary>Key padding mask values [B, L_k], or null.</summary>
    public float[]? KeyPaddingMask { get; }

    /// <summary>Index of the key padding mask's first element.</summary>
    public int KeyPaddingMaskOffset { get; }

    /// <summary>True when a non-zero key padding value hides the key.</summary>
    public bool KeyPaddingMaskBoolean { get; }
}
