using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Multi-head scaled dot-product attention as one operation with its own backward rule
/// (<see cref="AttentionKernels"/>): per head h, O_h = dropout(softmax(Q_h·K_hᵀ·scale + masks))·V_h.
/// Inputs are batch-first with the heads side by side in the last axis, [B, L, H·d], which is the
/// layout the input projections produce and the output projection consumes.
/// </summary>
public static class AttentionOp
{
    extension(Tensor query)
    {
        /// <summary>
        /// O = softmax(Q·Kᵀ·scale + masks)·V for each of <paramref name="heads"/> heads, with query
        /// [B, L_q, E], key [B, L_k, E] and value [B, L_k, E_v] (E and E_v divisible by the head count;
        /// head h uses columns h·E/H … (h+1)·E/H − 1) → [B, L_q, E_v]. The softmax is max-subtracted;
        /// a query whose keys are all hidden gets zeros.
        /// </summary>
        /// <param name="key">Keys [B, L_k, E].</param>
        /// <param name="value">Values [B, L_k, E_v].</param>
        /// <param name="heads">Number of heads H.</param>
        /// <param name="attnMask">[L_q, L_k] or [B·H, L_q, L_k] (also [B, H, L_q, L_k]), boolean or additive.</param>
        /// <param name="keyPaddingMask">[B, L_k], boolean (non-zero = padding) or additive.</param>
        /// <param name="isCausal">Hide keys after each query's position (aligned to the end of the keys; see <see cref="AttentionGeometry"/>).</param>
        /// <param name="dropout">Probability of dropping each attention weight (scaling the rest by 1/(1 − p)).</param>
        /// <param name="rng">Source of the dropout mask's seed; required when dropout &gt; 0.</param>
        /// <param name="scale">Score scale; null for 1/√(E/H).</param>
        /// <exception cref="ShapeMismatchException">Shapes or masks do not fit, or E is not divisible by H; names the shapes.</exception>
        public Tensor ScaledDotProductAttention(Tensor key, Tensor value, int heads, AttentionMask? attnMask = null,
            AttentionMask? keyPaddingMask = null, bool isCausal = false, float dropout = 0f, Rng? rng = null, float? scale = null) =>
            Attend(query, key, value, heads, attnMask, keyPaddingMask, isCausal, dropout, rng, scale, needWeights: false, out _);
    }

    /// <summary>
    /// The operation behind <c>ScaledDotProductAttention</c>; with <paramref name="needWeights"/>
    /// also the weights actually applied, [B, H, L_q, L_k] (after dropout, not recorded for backward).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Tensor Attend(Tensor query, Tensor key, Tensor value, int heads, AttentionMask? attnMask, AttentionMask? keyPaddingMask,
        bool isCausal, float dropout, Rng? rng, float? scale, bool needWeights, out Tensor? weights)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var g = Geometry(query, key, value, heads, isCausal, scale);
        if (!(dropout >= 0f && dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"attention: dropout must be in [0, 1), got {dropout}");
        if (dropout > 0f && rng is null)
            throw new ArgumentNullException(nameof(rng), "attention: dropout > 0 needs an Rng for its mask");
        var masks = Masks(attnMask, keyPaddingMask, g, query, key);
        var q = Readable(query);
        var k = ReferenceEquals(key, query) ? q : Readable(key);
        var v = ReferenceEquals(value, key) ? k : ReferenceEquals(value, query) ? q : Readable(value);
        bool records = GradMode.Records(q, k) || GradMode.Records(v);
        ulong seed = dropout > 0f ? rng!.NextUInt64() : 0;
        var output = Tensor.Scoped(new Shape(g.Batch, g.QueryLength, g.Heads * g.ValueHeadDim));
        var probs = records ? Tensor.Scoped(new Shape(g.Pieces, g.QueryLength, g.KeyLength)) : null;
        weights = needWeights ? Tensor.Scoped(new Shape(g.Batch, g.Heads, g.QueryLength, g.KeyLength)) : null;
        AttentionKernels.Forward(g, Operand(q), Operand(k), Operand(v), masks, dropout, seed, probs?.Buffer, weights?.Buffer,
            output.Buffer, output.Offset);
        if (!records) return output;
        var node = AttentionNode.Rent();
        node.SetInput(0, q);
        node.SetInput(1, k);
        node.SetInput(2, v);
        node.SetInput(3, probs!);
        node.Geometry = g;
        node.Dropout = dropout;
        node.Seed = seed;
        return GradMode.Attach(node, output);
    }

    private static AttentionGeometry Geometry(Tensor query, Tensor key, Tensor value, int heads, bool isCausal, float? scale)
    {
        if (query.Rank != 3 || key.Rank != 3 || value.Rank != 3)
            throw new ShapeMismatchException($"attention: query {query.Shape}, key {key.Shape} and value {value.Shape} must be [B, L, E] (batch first)");
        if (key.Shape[0] != query.Shape[0] || value.Shape[0] != query.Shape[0] || key.Shape[2] != query.Shape[2] || value.Shape[1] != key.Shape[1])
            throw new ShapeMismatchException(
                $"attention: query {query.Shape}, key {key.Shape} and value {value.Shape} do not fit: expected [B, L_q, E], [B, L_k, E], [B, L_k, E_v]");
        if (heads < 1) throw new ArgumentOutOfRangeException(nameof(heads), $"attention: the head count must be at least 1, got {heads}");
        int e = query.Shape[2], ev = value.Shape[2];
        if (e % heads != 0 || ev % heads != 0 || e == 0 || ev == 0)
            throw new ShapeMismatchException(
                $"attention: {heads} heads do not divide the embedding size {e} of query {query.Shape}{(ev != e ? $" or {ev} of value {value.Shape}" : "")}");
        int d = e / heads;
        return new AttentionGeometry(query.Shape[0], heads, query.Shape[1], key.Shape[1], d, ev / heads, scale ?? 1f / MathF.Sqrt(d), isCausal);
    }

    private static AttentionMasks Masks(AttentionMask? attnMask, AttentionMask? keyPaddingMask, in AttentionGeometry g, Tensor query, Tensor key)
    {
        float[]? am = null, kp = null;
        int amOffset = 0, kpOffset = 0;
        bool perPiece = false;
        if (attnMask is { } a)
        {
            var t = a.Values;
            var s = t.Shape;
            bool shared = s.Rank == 2 && s[0] == g.QueryLength && s[1] == g.KeyLength;
            bool pieces = (s.Rank == 3 && s[0] == g.Pieces && s[1] == g.QueryLength && s[2] == g.KeyLength)
                || (s.Rank == 4 && s[0] == g.Batch && s[1] == g.Heads && s[2] == g.QueryLength && s[3] == g.KeyLength);
            if (!shared && !pieces)
                throw new ShapeMismatchException(
                    $"attention: attn_mask of shape {s} does not fit query {query.Shape} and key {key.Shape} with {g.Heads} heads: expected [{g.QueryLength}, {g.KeyLength}] or [{g.Pieces}, {g.QueryLength}, {g.KeyLength}]");
            var c = t.Contiguous();
            am = c.Buffer;
            amOffset = c.Offset;
            perPiece = pieces;
        }
        if (keyPaddingMask is { } p)
        {
            var t = p.Values;
            if (t.Rank != 2 || t.Shape[0] != g.Batch || t.Shape[1] != g.KeyLength)
                throw new ShapeMismatchException(
                    $"attention: key_padding_mask of shape {t.Shape} does not fit key {key.Shape}: expected [{g.Batch}, {g.KeyLength}] (batch, key length)");
            var c = t.Contiguous();
            kp = c.Buffer;
            kpOffset = c.Offset;
        }
        return new AttentionMasks(am, amOffset, perPiece, attnMask?.IsBoolean ?? false, kp, kpOffset, keyPaddingMask?.IsBoolean ?? true);
    }

    // The kernels read rows in place at any row and batch stride as long as each row is contiguous
    // (a cache's leading part, a narrowed projection); anything else is copied first.
    private static Tensor Readable(Tensor t) =>
        (t.Strides[2] == 1 || t.Shape[2] == 1) && (t.Shape[1] == 1 || t.Strides[1] >= t.Shape[2]) && t.Strides[0] >= 0 ? t : t.Contiguous();

    private static AttentionOperand Operand(Tensor t) => new(t.Buffer, t.Offset, t.Strides[0], t.Shape[1] == 1 ? t.Shape[2] : t.Strides[1]);

    private sealed class AttentionNode : Node<AttentionNode>
    {
        public AttentionGeometry Geometry;
        public float Dropout;
        public ulong Seed;

        public override string Name => "ScaledDotProductAttentionBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            Tensor q = Input(0), k = Input(1), v = Input(2);
            // An input used in several roles gets one gradient buffer; the kernel adds the later roles' shares.
            Tensor? dq = null, dk = null, dv = null;
            bool accQ = false, accK = false, accV = false;
            if (Needs(0)) dq = GradFor(0, out accQ);
            if (Needs(1))
            {
                if (ReferenceEquals(k, q)) (dk, accK) = (dq, accQ);
                else dk = GradFor(1, out accK);
            }
            if (Needs(2))
            {
                if (ReferenceEquals(v, q)) (dv, accV) = (dq, accQ);
                else if (ReferenceEquals(v, k)) (dv, accV) = (dk, accK);
                else dv = GradFor(2, out accV);
            }
            AttentionKernels.Backward(Geometry, Operand(q), Operand(k), Operand(v), Dropout, Seed, Input(3).Buffer,
                grad.Buffer, grad.Offset,
                dq?.Buffer, dq?.Offset ?? 0, accQ, dk?.Buffer, dk?.Offset ?? 0, accK, dv?.Buffer, dv?.Offset ?? 0, accV);
        }
    }
}
