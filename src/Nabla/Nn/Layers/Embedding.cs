using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A lookup table of learned vectors, PyTorch's <c>nn.Embedding</c> (state-dict name <c>weight</c>,
/// shape <c>[numEmbeddings, embeddingDim]</c>) and Keras' <c>Embedding</c>: token ids
/// <c>[N, T]</c> (whole numbers stored as floats) → vectors <c>[N, T, embeddingDim]</c>.
/// </summary>
/// <remarks>
/// <para>Initialization is PyTorch's: every weight ~ N(0, 1), the padding row set to zero; <c>std</c>
/// draws from N(0, std²) instead (a small table, e.g. std 0.01, lets the vectors of
/// rare words start near zero rather than dominate a mean of a few tokens).</para>
/// <para>With a padding index (as <c>TextVectorization</c> produces: 0 = padding) the padding row
/// gets no gradient, and the output carries a padding mask (<see cref="Tensor.Mask"/>, Keras'
/// <c>mask_zero</c>) that <see cref="GlobalAveragePooling1D"/> and <see cref="GlobalMaxPooling1D"/>
/// read, directly or through layers that act on each position (<see cref="Module.SupportsMasking"/>)
/// inside a <see cref="Sequential"/>.</para>
/// <para>The backward pass writes only the rows of the batch's tokens (no dense
/// <c>[vocabulary, dim]</c> work per step); <see cref="Tensor.TryGetGradRows"/> lists them for
/// optimizers that can skip the other rows.</para>
/// </remarks>
/// <example><code>
/// var model = new Sequential(new Embedding(vocabularySize, 64, rng, paddingIdx: 0), new GlobalAveragePooling1D(),
///     new Dense(64, 32, rng, activation: "relu"), new Dense(32, labels, rng));
/// </code></example>
public sealed class Embedding : Module
{
    /// <summary>A table of <paramref name="numEmbeddings"/> vectors of size <paramref name="embeddingDim"/>, drawn from N(0, <paramref name="std"/>²).</summary>
    /// <param name="numEmbeddings">Vocabulary size (rows).</param>
    /// <param name="embeddingDim">Size of each vector.</param>
    /// <param name="rng">Seeded source of the initial weights.</param>
    /// <param name="paddingIdx">Row of the padding token (negative counts from the end), or null for none.</param>
    /// <param name="std">Standard deviation of the initial weights, finite and &gt; 0 (1: PyTorch's default).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, the padding index is outside the table, or <paramref name="std"/> is not a finite number &gt; 0.</exception>
    public Embedding(int numEmbeddings, int embeddingDim, Rng rng, int? paddingIdx = null, double std = 1)
        : this(numEmbeddings, embeddingDim, paddingIdx)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!((float)std > 0 && float.IsFinite((float)std))) throw new ArgumentOutOfRangeException(nameof(std), $"std must be a finite number > 0, got {std}");
        rng.FillNormal(Weight.AsSpan(), 0f, (float)std);
        if (PaddingIdx is { } pad) Weight.AsSpan().Slice(pad * embeddingDim, embeddingDim).Clear();
    }

    private Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEmbeddings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        FloatIndex.CheckCount(numEmbeddings, "Embedding");
        if (paddingIdx is { } p)
        {
            int pad = p < 0 ? p + numEmbeddings : p;
            if ((uint)pad >= (uint)numEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"padding index {p} is outside the table of {numEmbeddings} rows");
            PaddingIdx = pad;
        }
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        // The table outlives every training step, so it must not come from the caller's scope.
        using (TensorScope.Suspend())
            Weight = RegisterParameter("weight", Tensor.Owned(new Shape(numEmbeddings, embeddingDim)), ParameterRole.Weight);
    }

    /// <summary>
    /// A layer whose table is a copy of <paramref name="embeddings"/> <c>[rows, dim]</c>, as PyTorch's
    /// <c>Embedding.from_pretrained</c>: frozen (<see cref="ModuleModes.Freeze{T}(T)"/>: no gradient, optimizers skip it) unless
    /// <paramref name="freeze"/> is false. The padding row is taken as given, as PyTorch does.
    /// </summary>
    /// <exception cref="ShapeMismatchException"><paramref name="embeddings"/> is not 2-D.</exception>
    public static Embedding FromPretrained(Tensor embeddings, bool freeze = true, int? paddingIdx = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Rank != 2) throw new ShapeMismatchException($"Embedding.FromPretrained needs a table [rows, dim], got shape {embeddings.Shape}");
        var layer = new Embedding(embeddings.Shape[0], embeddings.Shape[1], paddingIdx);
        embeddings.CopyTo(layer.Weight.AsSpan());
        if (freeze) layer.Freeze();
        return layer;
    }

    /// <summary>The table W, <c>[NumEmbeddings, EmbeddingDim]</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>Number of rows (vocabulary size).</summary>
    public int NumEmbeddings { get; }

    /// <summary>Size of each vector.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding row (non-negative), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>y[…, :] = W[ids[…], :]; with a padding index the result carries <see cref="Tensor.Mask"/>.</summary>
    /// <exception cref="IndexOutOfRangeException">An id is not a whole number in 0..NumEmbeddings−1.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Embedding(Weight, PaddingIdx);
    }

    /// <summary><c>Embedding(20000, 64, padding_idx=0)</c>.</summary>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Embedding({NumEmbeddings}, {EmbeddingDim}{(PaddingIdx is { } p ? $", padding_idx={p}" : "")}{(IsFrozen ? ", frozen" : "")})");
}
