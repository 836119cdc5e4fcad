using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Multi-head attention, as PyTorch's <c>nn.MultiheadAttention</c> with <c>batch_first=True</c>:
/// Q = query·W_qᵀ + b_q, K = key·W_kᵀ + b_k, V = value·W_vᵀ + b_v, split into H heads of E/H
/// columns, head_h = softmax(Q_h·K_hᵀ/√(E/H) + masks)·V_h, output = concat(heads)·W_oᵀ + b_o.
/// </summary>
/// <remarks>
/// <para>Parameters carry PyTorch's names and layout: <c>in_proj_weight</c> [3E, E] (W_q, W_k, W_v
/// stacked, Xavier-uniform), <c>in_proj_bias</c> [3E] (zeros), <c>out_proj.weight</c> [E, E]
/// (U(±1/√E)) and <c>out_proj.bias</c> [E] (zeros). Inputs are batch-first [B, L, E].
/// The attention itself is one fused operation (<c>ScaledDotProductAttention</c>); dropout acts on
/// the attention weights in training mode.</para>
/// <para>Differences from PyTorch 1.13: <c>isCausal</c> is available (PyTorch 2's spelling), a query
/// whose keys are all masked gets zeros instead of NaN, key and value must have the embedding size E
/// (no <c>kdim</c>/<c>vdim</c>), and the returned weights are not differentiable.</para>
/// </remarks>
/// <example><code>
/// var mha = new MultiheadAttention(256, 4, rng);
/// var (y, weights) = mha.Forward(x, x, x, keyPaddingMask: AttentionMask.Boolean(padding));   // y [B, L, 256], weights [B, L, L]
/// </code></example>
public sealed class MultiheadAttention : Module
{
    private readonly Rng _rng;

    /// <summary>Attention with <paramref name="numHeads"/> heads over embeddings of size <paramref name="embedDim"/>.</summary>
    /// <param name="embedDim">E, the size of the last axis of query, key, value and output.</param>
    /// <param name="numHeads">H; must divide E.</param>
    /// <param name="rng">Seeded source of the initial weights and of the dropout masks.</param>
    /// <param name="dropout">Probability of dropping an attention weight in training.</param>
    /// <param name="bias">Whether the projections have biases.</param>
    /// <exception cref="ArgumentException">H does not divide E; names both.</exception>
    public MultiheadAttention(int embedDim, int numHeads, Rng rng, double dropout = 0, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embedDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        ArgumentNullException.ThrowIfNull(rng);
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: {numHeads} heads do not divide the embedding size {embedDim} (each head gets E/H columns)", nameof(numHeads));
        if (!(dropout >= 0f && dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"MultiheadAttention dropout must be in [0, 1), got {dropout}");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        Dropout = (float)dropout;
        _rng = rng;
        using (TensorScope.Suspend())
        {
            var w = Tensor.Owned(new Shape(3 * embedDim, embedDim));
            Init.GlorotUniform().Initialize(w, rng);
            InProjWeight = RegisterParameter("in_proj_weight", w, ParameterRole.Weight);
            if (bias) InProjBias = RegisterParameter("in_proj_bias", Tensor.Owned(new Shape(3 * embedDim)), ParameterRole.Bias);
        }
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, rng, bias, biasInit: bias ? Init.Zeros() : null));
    }

    /// <summary>E.</summary>
    public int EmbedDim { get; }

    /// <summary>H.</summary>
    public int NumHeads { get; }

    /// <summary>E/H, the width of one head.</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>Dropout probability on the attention weights (training only).</summary>
    public float Dropout { get; }

    /// <summary>W_q, W_k, W_v stacked, [3E, E].</summary>
    public Tensor InProjWeight { get; }

    /// <summary>b_q, b_k, b_v stacked, [3E], or null without biases.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection (<c>out_proj</c>).</summary>
    public Linear OutProj { get; }

    /// <summary>Self-attention: <c>Forward(x, x, x, needWeights: false).Output</c>.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, input, input, needWeights: false).Output;

    /// <summary>
    /// Attends from <paramref name="query"/> [B, L_q, E] over <paramref name="key"/> [B, L_k, E] and
    /// <paramref name="value"/> [B, L_k, E]; returns the output [B, L_q, E] and, with
    /// <paramref name="needWeights"/>, the attention weights averaged over heads [B, L_q, L_k] (or
    /// per head [B, H, L_q, L_k] when <paramref name="averageAttnWeights"/> is false).
    /// </summary>
    /// <param name="query">Queries [B, L_q, E].</param>
    /// <param name="key">Keys [B, L_k, E].</param>
    /// <param name="value">Values [B, L_k, E].</param>
    /// <param name="keyPaddingMask">[B, L_k]: keys to ignore (boolean, non-zero = padding) or scores to add.</param>
    /// <param name="needWeights">Whether to return the attention weights.</param>
    /// <param name="attnMask">[L_q, L_k] or [B·H, L_q, L_k], boolean or additive.</param>
    /// <param name="averageAttnWeights">Average the returned weights over heads.</param>
    /// <param name="isCausal">Hide from each query the keys after its position.</param>
    /// <param name="cache">Keys and values of earlier decoding steps (inference only; see <see cref="KeyValueCache"/>):
    /// a growing cache appends this call's keys and values and attends over all cached ones; a static
    /// cache projects <paramref name="key"/>/<paramref name="value"/> on its first call only.</param>
    /// <exception cref="ShapeMismatchException">A shape or mask does not fit; names the shapes.</exception>
    /// <exception cref="InvalidOperationException">A cache is used while gradients are recorded.</exception>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, AttentionMask? keyPaddingMask = null,
        bool needWeights = true, AttentionMask? attnMask = null, bool averageAttnWeights = true, bool isCausal = false,
        KeyValueCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckInput(query, "query");
        CheckInput(key, "key");
        CheckInput(value, "value");
        int e = EmbedDim;
        Tensor q, k, v;
        if (cache is null && ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            // Self-attention: Q, K and V as one product with the stacked [3E, E] weight. Three products
            // of width E pack the same input three times and run the micro-kernel on narrow panels
            // (a [4096, 256]·[256, 256] product ran at half the rate of a [4096, 256]·[256, 1024]
            // one); backward likewise becomes one ∂X and one ∂W product. The attention kernels read
            // the three column blocks of the [B, L, 3E] result in place (row stride 3E).
            var qkv = Project(query, 0, 3 * e);
            q = qkv.Narrow(2, 0, e);
            k = qkv.Narrow(2, e, e);
            v = qkv.Narrow(2, 2 * e, e);
        }
        else if (cache is null)
        {
            q = Project(query, 0);
            k = Project(key, e);
            v = Project(value, 2 * e);
        }
        else
        {
            q = Project(query, 0);
            if (GradMode.IsEnabled && InProjWeight.RequiresGrad)
                throw new InvalidOperationException("MultiheadAttention: a KeyValueCache serves inference; decode under GradMode.NoGrad()");
            if (!cache.IsStatic || cache.Length == 0) cache.Append(Project(key, e), Project(value, 2 * e));
            k = cache.Keys;
            v = cache.Values;
        }
        float p = IsTraining ? Dropout : 0f;
        var attended = AttentionOp.Attend(q, k, v, NumHeads, attnMask, keyPaddingMask, isCausal, p, p > 0f ? _rng : null, null,
            needWeights, out var weights);
        var output = OutProj.Forward(attended);
        if (weights is not null && averageAttnWeights) weights = AverageHeads(weights);
        return (output, weights);
    }

    /// <summary><c>MultiheadAttention(E=256, heads=4)</c>.</summary>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"MultiheadAttention(E={EmbedDim}, heads={NumHeads}{(Dropout > 0 ? $", dropout={Dropout:G4}" : "")})");

    private void CheckInput(Tensor t, string name)
    {
        if (t.Rank != 3 || t.Shape[2] != EmbedDim)
            throw new ShapeMismatchException($"{Describe()}: {name} must be [B, L, {EmbedDim}] (batch first), got {t.Shape}");
    }

    // x·W[rows]ᵀ + b[rows] for one third of the stacked projection; the row block of a contiguous
    // weight is itself contiguous, so the product reads it in place.
    private Tensor Project(Tensor x, int firstRow, int count = 0)
    {
        int e = EmbedDim;
        if (count == 0) count = e;
        var w = count == InProjWeight.Shape[0] ? InProjWeight : InProjWeight.Narrow(0, firstRow, count);
        var b = InProjBias is null || count == InProjBias.Shape[0] ? InProjBias : InProjBias.Narrow(0, firstRow, count);
        int rows = x.Shape[0] * x.Shape[1];
        return x.Reshape(rows, e).Linear(w, b).Reshape(x.Shape[0], x.Shape[1], count);
    }

    private static Tensor AverageHeads(Tensor weights)
    {
        int b = weights.Shape[0], h = weights.Shape[1], size = weights.Shape[2] * weights.Shape[3];
        var mean = Tensor.Scoped(new Shape(b, weights.Shape[2], weights.Shape[3]));
        var src = weights.AsReadOnlySpan();
        var dst = mean.AsSpan();
        dst.Clear();
        for (int i = 0; i < b; i++)
            for (int j = 0; j < h; j++)
            {
                var s = src.Slice((i * h + j) * size, size);
                var d = dst.Slice(i * size, size);
                for (int x = 0; x < size; x++) d[x] += s[x];
            }
        for (int x = 0; x < dst.Length; x++) dst[x] /= h;
        return mean;
    }
}
