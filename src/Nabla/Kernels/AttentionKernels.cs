using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Scaled dot-product attention fused per (batch, head) piece, and its backward pass:
/// S = scale·Q·Kᵀ + masks, P = softmax(S) row-wise (max-subtracted), P' = dropout(P),
/// O = P'·V. Heads are column blocks of [B, L, H·d] operands, so the projections feed in and the
/// output leaves in the layout the surrounding linear layers use, with no head transposes.
/// </summary>
/// <remarks>
/// <para>Pieces are spread over <see cref="WorkerPool"/> threads; each writes only its own
/// (batch, head) block of every output, so the result does not depend on the thread count. The
/// only L_q×L_k matrices kept are the softmax probabilities P when a caller saves them for
/// backward; the dropout mask is regenerated from its seed (<see cref="DropoutMask"/>, one stream
/// per piece) and the scores and their gradients live in per-thread scratch that is grown once.</para>
/// <para>Backward per piece, with G = ∂L/∂O and D the dropout scaling: dP' = G·Vᵀ, dV = P'ᵀ·G,
/// dP = dP'⊙D, dS = P⊙(dP − rowsum(dP⊙P)), dQ = scale·dS·K, dK = scale·dSᵀ·Q. A row whose keys are
/// all hidden gets zero probabilities (PyTorch 1.13 returns NaN there) and passes no gradient.</para>
/// </remarks>
public static class AttentionKernels
{
    /// <summary>Up to this many queries per piece, scores and outputs are dot products instead of GEMMs.</summary>
    internal const int DirectQueries = 2;

    [ThreadStatic] private static float[]? _scores;
    [ThreadStatic] private static float[]? _dropped;
    [ThreadStatic] private static ForwardWork? _forward;
    [ThreadStatic] private static BackwardWork? _backward;

    /// <summary>
    /// O = softmax(scale·Q·Kᵀ + masks)·V per (batch, head), written to <paramref name="output"/> as
    /// [B, L_q, H·d_v] from <paramref name="outputOffset"/>.
    /// </summary>
    /// <param name="g">Sizes, scale and causality.</param>
    /// <param name="q">Queries [B, L_q, H·d].</param>
    /// <param name="k">Keys [B, L_k, H·d].</param>
    /// <param name="v">Values [B, L_k, H·d_v].</param>
    /// <param name="masks">Attention and key padding masks.</param>
    /// <param name="dropout">Probability of dropping an attention weight (0 in evaluation).</param>
    /// <param name="dropoutSeed">Seed of the dropout mask; backward must get the same.</param>
    /// <param name="probs">Where to keep P [B·H, L_q, L_k] for backward, or null.</param>
    /// <param name="weights">Where to write P' [B·H, L_q, L_k] (the weights actually applied), or null.</param>
    /// <param name="output">The output array.</param>
    /// <param name="outputOffset">Index of the output's first element.</param>
    public static void Forward(in AttentionGeometry g, in AttentionOperand q, in AttentionOperand k, in AttentionOperand v,
        in AttentionMasks masks, float dropout, ulong dropoutSeed, float[]? probs, float[]? weights, float[] output, int outputOffset)
    {
        CheckDropout(dropout);
        if (probs is not null) Guard.AtLeast(probs.Length, (long)g.Pieces * g.ScoreSize, nameof(probs));
        if (weights is not null) Guard.AtLeast(weights.Length, (long)g.Pieces * g.ScoreSize, nameof(weights));
        Guard.AtLeast(output.Length - outputOffset, (long)g.Batch * g.QueryLength * g.Heads * g.ValueHeadDim, nameof(output));
        if (g.Pieces == 0 || g.QueryLength == 0) return;
        var work = _forward ??= new ForwardWork();
        work.G = g; work.Q = q; work.K = k; work.V = v; work.Masks = masks; work.Dropout = dropout; work.Seed = dropoutSeed;
        work.Probs = probs; work.Weights = weights; work.Output = output; work.OutputOffset = outputOffset;
        try { WorkerPool.Run(work, g.Pieces); }
        finally { work.Clear(); }
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/> given G = ∂L/∂O [B, L_q, H·d_v] and the saved P. The
    /// targets are contiguous [B, L, H·w] arrays (null when not needed), written or, with their
    /// accumulate flag, added to. Targets may be the same array (an input used as query and key,
    /// say): a later write then adds to what the earlier one left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in AttentionGeometry g, in AttentionOperand q, in AttentionOperand k, in AttentionOperand v,
        float dropout, ulong dropoutSeed, float[] probs, float[] gradOutput, int gradOutputOffset,
        float[]? dq, int dqOffset, bool accumulateDq, float[]? dk, int dkOffset, bool accumulateDk,
        float[]? dv, int dvOffset, bool accumulateDv)
    {
        CheckDropout(dropout);
        Guard.AtLeast(probs.Length, (long)g.Pieces * g.ScoreSize, nameof(probs));
        Guard.AtLeast(gradOutput.Length - gradOutputOffset, (long)g.Batch * g.QueryLength * g.Heads * g.ValueHeadDim, nameof(gradOutput));
        if (dq is not null) Guard.AtLeast(dq.Length - dqOffset, (long)g.Batch * g.QueryLength * g.Heads * g.HeadDim, nameof(dq));
        if (dk is not null) Guard.AtLeast(dk.Length - dkOffset, (long)g.Batch * g.KeyLength * g.Heads * g.HeadDim, nameof(dk));
        if (dv is not null) Guard.AtLeast(dv.Length - dvOffset, (long)g.Batch * g.KeyLength * g.Heads * g.ValueHeadDim, nameof(dv));
        if (g.Pieces == 0) return;
        // Write order inside a piece is dV, dQ, dK; a target shared with an earlier one adds to it.
        bool qAfterV = dq is not null && ReferenceEquals(dq, dv) && dqOffset == dvOffset;
        bool kAfterV = dk is not null && ReferenceEquals(dk, dv) && dkOffset == dvOffset;
        bool kAfterQ = dk is not null && ReferenceEquals(dk, dq) && dkOffset == dqOffset;
        var work = _backward ??= new BackwardWork();
        work.G = g; work.Q = q; work.K = k; work.V = v; work.Dropout = dropout; work.Seed = dropoutSeed; work.Probs = probs;
        work.GradOutput = gradOutput; work.GradOutputOffset = gradOutputOffset;
        work.Dq = dq; work.DqOffset = dqOffset; work.BetaQ = accumulateDq || qAfterV ? 1f : 0f;
        work.Dk = dk; work.DkOffset = dkOffset; work.BetaK = accumulateDk || kAfterV || kAfterQ ? 1f : 0f;
        work.Dv = dv; work.DvOffset = dvOffset; work.BetaV = accumulateDv ? 1f : 0f;
        try
        {
            if (g.QueryLength == 0 || g.KeyLength == 0)
            {
                // Nothing flows back; targets that are written rather than added to must still be zeros.
                ClearTarget(dq, dqOffset, (long)g.Batch * g.QueryLength * g.Heads * g.HeadDim, work.BetaQ);
                ClearTarget(dk, dkOffset, (long)g.Batch * g.KeyLength * g.Heads * g.HeadDim, work.BetaK);
                ClearTarget(dv, dvOffset, (long)g.Batch * g.KeyLength * g.Heads * g.ValueHeadDim, work.BetaV);
                return;
            }
            WorkerPool.Run(work, g.Pieces);
        }
        finally { work.Clear(); }
    }

    private static void ClearTarget(float[]? target, int offset, long count, float beta)
    {
        if (target is not null && beta == 0f) target.AsSpan(offset, (int)count).Clear();
    }

    private static void CheckDropout(float p)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"attention dropout must be in [0, 1), got {p}");
    }

    private static float[] Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    /// <summary>
    /// Applies the masks to the scores of query <paramref name="i"/> and turns them into
    /// probabilities in place; hidden keys get exactly 0 and a row with nothing visible is all 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaskedSoftmaxRow(in AttentionGeometry g, in AttentionMasks masks, int b, int h, int i, Span<float> row)
    {
        int visible = g.Visible(i), lk = g.KeyLength;
        row[visible..].Clear();
        var s = row[..visible];
        if (masks.AttnMask is { } am)
        {
            int piece = masks.AttnMaskPerPiece ? b * g.Heads + h : 0;
            ApplyMask(s, am.AsSpan(masks.AttnMaskOffset + (piece * g.QueryLength + i) * lk, visible), masks.AttnMaskBoolean);
        }
        if (masks.KeyPaddingMask is { } kp)
            ApplyMask(s, kp.AsSpan(masks.KeyPaddingMaskOffset + b * lk, visible), masks.KeyPaddingMaskBoolean);
        float m = visible == 0 ? float.NegativeInfinity : Primitives.Max(s);
        if (float.IsNegativeInfinity(m))
        {
            s.Clear();
            return;
        }
        Primitives.Subtract(s, m, s);
        Primitives.Exp(s, s);
        Primitives.Multiply(s, 1f / Primitives.Sum(s), s);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyMask(Span<float> s, ReadOnlySpan<float> mask, bool boolean)
    {
        if (!boolean)
        {
            Primitives.Add(s, mask, s);
            return;
        }
        for (int j = 0; j < s.Length; j++)
            if (mask[j] != 0f) s[j] = float.NegativeInfinity;
    }

    private sealed class ForwardWork : IParallelWork
    {
        public AttentionGeometry G;
        public AttentionOperand Q, K, V;
        public AttentionMasks Masks;
        public float Dropout;
        public ulong Seed;
        public float[]? Probs, Weights;
        public float[] Output = null!;
        public int OutputOffset;

        public void Clear()
        {
            Q = K = V = default;
            Masks = default;
            Probs = Weights = null;
            Output = null!;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece)
        {
            var g = G;
            int b = piece / g.Heads, h = piece % g.Heads;
            int lq = g.QueryLength, lk = g.KeyLength, d = g.HeadDim, dv = g.ValueHeadDim, size = g.ScoreSize;
            int outWidth = g.Heads * dv;
            var o = Output.AsSpan(OutputOffset + b * lq * outWidth + h * dv, (lq - 1) * outWidth + dv);
            if (lk == 0)
            {
                for (int i = 0; i < lq; i++) o.Slice(i * outWidth, dv).Clear();
                return;
            }
            var p = Probs is null ? Scratch(ref _scores, size).AsSpan(0, size) : Probs.AsSpan(piece * size, size);
            if (lq <= DirectQueries)
            {
                // A step of cached decoding: one query over the cache. Packing K for a one-row GEMM
                // would cost more than the dot products.
                Direct(g, b, h, p, o, outWidth);
                return;
            }
            Gemm.Sgemm(false, true, lq, lk, d, g.Scale, Q.Head(b, h, lq, d), Q.RowStride, K.Head(b, h, lk, d), K.RowStride, 0f, p, lk);
            for (int i = 0; i < lq; i++) MaskedSoftmaxRow(g, Masks, b, h, i, p.Slice(i * lk, lk));
            ReadOnlySpan<float> applied = p;
            if (Dropout > 0f)
            {
                var dropped = Weights is null ? Scratch(ref _dropped, size).AsSpan(0, size) : Weights.AsSpan(piece * size, size);
                DropoutMask.Apply(DropoutMask.StreamKey(Seed, piece), 0, Dropout, 1f / (1f - Dropout), p, dropped);
                applied = dropped;
            }
            else if (Weights is not null)
            {
                p.CopyTo(Weights.AsSpan(piece * size, size));
            }
            Gemm.Sgemm(false, false, lq, dv, lk, 1f, applied, lk, V.Head(b, h, lk, dv), V.RowStride, 0f, o, outWidth);
        }

        // S = scale·Q·Kᵀ and O = P'·V by dot products and scaled row sums, for a query or two.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Direct(in AttentionGeometry g, int b, int h, Span<float> p, Span<float> o, int outWidth)
        {
            int lq = g.QueryLength, lk = g.KeyLength, d = g.HeadDim, dv = g.ValueHeadDim;
            var q = Q.Head(b, h, lq, d);
            var k = K.Head(b, h, lk, d);
            var v = V.Head(b, h, lk, dv);
            for (int i = 0; i < lq; i++)
            {
                var row = p.Slice(i * lk, lk);
                var qi = q.Slice(i * Q.RowStride, d);
                for (int j = 0; j < lk; j++) row[j] = g.Scale * Primitives.Dot(qi, k.Slice(j * K.RowStride, d));
                MaskedSoftmaxRow(g, Masks, b, h, i, row);
                var piece = b * g.Heads + h;
                if (Dropout > 0f)
                {
                    var dropped = Scratch(ref _dropped, lk).AsSpan(0, lk);
                    DropoutMask.Apply(DropoutMask.StreamKey(Seed, piece), i * lk, Dropout, 1f / (1f - Dropout), row, dropped);
                    if (Weights is not null) dropped.CopyTo(Weights.AsSpan(piece * g.ScoreSize + i * lk, lk));
                    Accumulate(dropped, v, o.Slice(i * outWidth, dv));
                }
                else
                {
                    if (Weights is not null) row.CopyTo(Weights.AsSpan(piece * g.ScoreSize + i * lk, lk));
                    Accumulate(row, v, o.Slice(i * outWidth, dv));
                }
            }
        }

        // o = Σ_j w_j·v_j
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Accumulate(ReadOnlySpan<float> w, ReadOnlySpan<float> v, Span<float> o)
        {
            int dv = o.Length;
            o.Clear();
            for (int j = 0; j < w.Length; j++)
                if (w[j] != 0f) Primitives.MultiplyAdd(v.Slice(j * V.RowStride, dv), w[j], o, o);
        }
    }

    private sealed class BackwardWork : IParallelWork
    {
        public AttentionGeometry G;
        public AttentionOperand Q, K, V;
        public float Dropout;
        public ulong Seed;
        public float[] Probs = null!, GradOutput = null!;
        public float[]? Dq, Dk, Dv;
        public int GradOutputOffset, DqOffset, DkOffset, DvOffset;
        public float BetaQ, BetaK, BetaV;

        public void Clear()
        {
            Q = K = V = default;
            Probs = GradOutput = null!;
            Dq = Dk = Dv = null;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece)
        {
            var g = G;
            int b = piece / g.Heads, h = piece % g.Heads;
            int lq = g.QueryLength, lk = g.KeyLength, d = g.HeadDim, dv = g.ValueHeadDim, size = g.ScoreSize;
            int qWidth = g.Heads * d, vWidth = g.Heads * dv;
            var p = Probs.AsSpan(piece * size, size);
            var go = GradOutput.AsSpan(GradOutputOffset + b * lq * vWidth + h * dv, (lq - 1) * vWidth + dv);
            var dp = Scratch(ref _scores, size).AsSpan(0, size);
            var key = DropoutMask.StreamKey(Seed, piece);
            float keepScale = Dropout > 0f ? 1f / (1f - Dropout) : 1f;

            // dP' = G·Vᵀ  [L_q, L_k]
            Gemm.Sgemm(false, true, lq, lk, dv, 1f, go, vWidth, V.Head(b, h, lk, dv), V.RowStride, 0f, dp, lk);
            if (Dv is not null)
            {
                // dV = P'ᵀ·G with P' regenerated from P and the seed.
                ReadOnlySpan<float> applied = p;
                if (Dropout > 0f)
                {
                    var dropped = Scratch(ref _dropped, size).AsSpan(0, size);
                    DropoutMask.Apply(key, 0, Dropout, keepScale, p, dropped);
                    applied = dropped;
                }
                var target = Dv.AsSpan(DvOffset + b * lk * vWidth + h * dv, (lk - 1) * vWidth + dv);
                Gemm.Sgemm(true, false, lk, dv, lq, 1f, applied, lk, go, vWidth, BetaV, target, vWidth);
            }
            if (Dq is null && Dk is null) return;
            if (Dropout > 0f) DropoutMask.Apply(key, 0, Dropout, keepScale, dp, dp);
            // dS = P ⊙ (dP − Σ_j dP⊙P), row by row.
            for (int i = 0; i < lq; i++)
            {
                var pr = p.Slice(i * lk, lk);
                var dr = dp.Slice(i * lk, lk);
                float dot = Primitives.Dot(dr, pr);
                Primitives.Add(dr, -dot, dr);
                Primitives.Multiply(dr, pr, dr);
            }
            if (Dq is not null)
            {
                var target = Dq.AsSpan(DqOffset + b * lq * qWidth + h * d, (lq - 1) * qWidth + d);
                Gemm.Sgemm(false, false, lq, d, lk, g.Scale, dp, lk, K.Head(b, h, lk, d), K.RowStride, BetaQ, target, qWidth);
            }
            if (Dk is not null)
            {
                var target = Dk.AsSpan(DkOffset + b * lk * qWidth + h * d, (lk - 1) * qWidth + d);
                Gemm.Sgemm(true, false, lk, d, lq, g.Scale, dp, lk, Q.Head(b, h, lq, d), Q.RowStride, BetaK, target, qWidth);
            }
        }
    }
}
