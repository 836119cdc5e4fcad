using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Generation;

/// <summary>
/// One decoding session of an autoregressive model over a batch of rows: each <see cref="Step"/>
/// feeds one token per row and returns the logits of the next one. <see cref="Decoding"/>'s greedy,
/// beam and sampling loops drive it; a model starts it (<c>Seq2SeqTransformer.StartDecoding</c>,
/// <c>TransformerLanguageModel.StartDecoding</c>) with or without a key/value cache.
/// </summary>
/// <remarks>
/// With a cache, step t runs every layer on the new position only and attends over the t cached
/// keys and values; without, it reruns the whole prefix, which is the reference the cache is tested
/// against. Steps run without recording gradients; the returned logits belong to the caller's
/// <see cref="TensorScope"/> (the loops in <see cref="Decoding"/> open one per step).
/// </remarks>
public abstract class TokenDecoder
{
    private readonly int[] _history;

    /// <summary>Sets the session's sizes.</summary>
    /// <param name="batch">Rows decoded side by side.</param>
    /// <param name="vocabularySize">Tokens the model knows (ids 0 … V − 1).</param>
    /// <param name="maxLength">Positions the session may feed.</param>
    protected TokenDecoder(int batch, int vocabularySize, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        Batch = batch;
        VocabularySize = vocabularySize;
        MaxLength = maxLength;
        _history = new int[batch * maxLength];
    }

    /// <summary>Rows decoded side by side.</summary>
    public int Batch { get; }

    /// <summary>V, the size of the logits.</summary>
    public int VocabularySize { get; }

    /// <summary>Positions the session may feed in all.</summary>
    public int MaxLength { get; }

    /// <summary>Tokens fed so far per row (the position of the next one).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Feeds <paramref name="tokens"/> (one per row, at position <see cref="Length"/>) and returns
    /// the logits [Batch, V] of the next token.
    /// </summary>
    /// <exception cref="ArgumentException">The token count differs from the batch, or a token is outside the vocabulary; names both.</exception>
    /// <exception cref="InvalidOperationException">The session already holds <see cref="MaxLength"/> positions.</exception>
    public Tensor Step(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != Batch)
            throw new ArgumentException($"{GetType().Name}.Step: {tokens.Length} tokens given for a batch of {Batch} rows", nameof(tokens));
        for (int r = 0; r < tokens.Length; r++)
            if ((uint)tokens[r] >= (uint)VocabularySize)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{GetType().Name}.Step: token {tokens[r]} of row {r} is outside the vocabulary of {VocabularySize} tokens (0..{VocabularySize - 1})"), nameof(tokens));
        if (Length >= MaxLength)
            throw new InvalidOperationException($"{GetType().Name}: decoding past its maximum length of {MaxLength} positions");
        for (int r = 0; r < Batch; r++) _history[r * MaxLength + Length] = tokens[r];
        Tensor logits;
        using (GradMode.NoGrad()) logits = StepCore(tokens, Length);
        Length++;
        return logits;
    }

    /// <summary>
    /// Keeps the rows <paramref name="rows"/> in that order: row i continues old row <c>rows[i]</c>
    /// (its history and cached keys and values). Beam search calls it after choosing the survivors.
    /// </summary>
    /// <exception cref="ArgumentException">The row count differs from the batch or a row is out of range.</exception>
    public void Reorder(ReadOnlySpan<int> rows)
    {
        if (rows.Length != Batch) throw new ArgumentException($"{GetType().Name}.Reorder: {rows.Length} rows given for a batch of {Batch}", nameof(rows));
        foreach (int r in rows)
            if ((uint)r >= (uint)Batch) throw new ArgumentException($"{GetType().Name}.Reorder: row {r} is outside the batch of {Batch}", nameof(rows));
        var copy = new int[Batch * Length];
        for (int i = 0; i < Batch; i++) _history.AsSpan(rows[i] * MaxLength, Length).CopyTo(copy.AsSpan(i * Length));
        for (int i = 0; i < Batch; i++) copy.AsSpan(i * Length, Length).CopyTo(_history.AsSpan(i * MaxLength));
        ReorderCore(rows);
    }

    /// <summary>Computes the next-token logits [Batch, V] after feeding <paramref name="tokens"/> at <paramref name="position"/>.</summary>
    protected abstract Tensor StepCore(ReadOnlySpan<int> tokens, int position);

    /// <summary>Reorders whatever per-row state the subclass keeps (caches).</summary>
    protected abstract void ReorderCore(ReadOnlySpan<int> rows);

    /// <summary>Token ids as the [rows, n] float tensor embeddings take.</summary>
    internal static Tensor Ids(ReadOnlySpan<int> tokens, int rows)
    {
        var t = Tensor.Scoped(new Shape(rows, tokens.Length / rows));
        var s = t.AsSpan();
        for (int i = 0; i < tokens.Length; i++) s[i] = tokens[i];
        return t;
    }

    /// <summary>The whole history, the tokens of the current step included, as [Batch, Length + 1] ids.</summary>
    internal Tensor PrefixIds()
    {
        int n = Length + 1;
        var t = Tensor.Scoped(new Shape(Batch, n));
        var s = t.AsSpan();
        for (int r = 0; r < Batch; r++)
            for (int i = 0; i < n; i++) s[r * n + i] = _history[r * MaxLength + i];
        return t;
    }
}
