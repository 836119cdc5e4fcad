using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Generation;

/// <summary>
/// A sequence-to-sequence model on token ids, as the PyTorch tutorial's <c>Seq2SeqTransformer</c>:
/// source and target token embeddings (<c>src_tok_emb</c>, <c>tgt_tok_emb</c>), sinusoidal positions
/// (<c>positional_encoding</c>) and dropout, an <see cref="Transformer"/> (<c>transformer</c>), and a
/// linear layer to target logits (<c>generator</c>). Padding positions (the padding token) are
/// masked out of every attention; the decoder is causal.
/// </summary>
/// <remarks>
/// The embedding layer is passed in (the <c>embedding</c> argument builds one from a vocabulary size
/// and a width: <c>(n, d) => new Embedding(n, d, rng)</c>), so any module mapping ids [B, L] to
/// vectors [B, L, d] fits. Train with teacher forcing — <c>Forward(source, targetIn)</c> with
/// targetIn = start token + target without its last token, against target + end token — and
/// decode with <see cref="StartDecoding"/> and <see cref="Decoding"/>.
/// </remarks>
public sealed class Seq2SeqTransformer : Module
{
    /// <summary>A seq2seq transformer.</summary>
    /// <param name="sourceVocabulary">Source token count.</param>
    /// <param name="targetVocabulary">Target token count (the size of the logits).</param>
    /// <param name="dModel">Embedding width E.</param>
    /// <param name="nhead">Attention heads.</param>
    /// <param name="rng">Seeded source of initial weights and dropout masks.</param>
    /// <param name="embedding">Builds a token embedding from (vocabulary size, E).</param>
    /// <param name="numEncoderLayers">Encoder layers.</param>
    /// <param name="numDecoderLayers">Decoder layers.</param>
    /// <param name="dimFeedforward">Feed-forward width.</param>
    /// <param name="dropout">Dropout probability in training.</param>
    /// <param name="maxLength">Longest source or target sequence (the positional table's size).</param>
    /// <param name="paddingToken">Id of the padding token (masked out of attention), or null for none.</param>
    /// <param name="normFirst">Pre-norm layers.</param>
    /// <param name="activation"><c>relu</c> or <c>gelu</c>.</param>
    /// <param name="scaleEmbeddings">Multiply the token embeddings by √E, as the paper and the PyTorch tutorial do.</param>
    public Seq2SeqTransformer(int sourceVocabulary, int targetVocabulary, int dModel, int nhead, Rng rng, Func<int, int, Module> embedding,
        int numEncoderLayers = 3, int numDecoderLayers = 3, int dimFeedforward = 512, double dropout = 0.1, int maxLength = 512,
        int? paddingToken = null, bool normFirst = false, string activation = "relu", bool scaleEmbeddings = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceVocabulary, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetVocabulary, 1);
        SourceVocabulary = sourceVocabulary;
        TargetVocabulary = targetVocabulary;
        DModel = dModel;
        PaddingToken = paddingToken;
        EmbeddingScale = scaleEmbeddings ? MathF.Sqrt(dModel) : 1f;
        Transformer = RegisterModule("transformer", new Transformer(dModel, nhead, rng, numEncoderLayers, numDecoderLayers, dimFeedforward,
            dropout, activation, normFirst: normFirst));
        Generator = RegisterModule("generator", new Linear(dModel, targetVocabulary, rng));
        SourceEmbedding = RegisterModule("src_tok_emb", embedding(sourceVocabulary, dModel));
        TargetEmbedding = RegisterModule("tgt_tok_emb", embedding(targetVocabulary, dModel));
        PositionalEncoding = RegisterModule("positional_encoding", new SinusoidalPositionalEncoding(dModel, maxLength));
        Dropout = RegisterModule("dropout", new Dropout(dropout, rng));
    }

    /// <summary>Source token count.</summary>
    public int SourceVocabulary { get; }

    /// <summary>Target token count.</summary>
    public int TargetVocabulary { get; }

    /// <summary>E.</summary>
    public int DModel { get; }

    /// <summary>The padding token, or null.</summary>
    public int? PaddingToken { get; }

    /// <summary>Factor applied to token embeddings (1, or √E).</summary>
    public float EmbeddingScale { get; }

    /// <summary>Longest sequence the positional table takes.</summary>
    public int MaxLength => PositionalEncoding.MaxLength;

    /// <summary>The encoder-decoder (<c>transformer</c>).</summary>
    public Transformer Transformer { get; }

    /// <summary>Projection to target logits (<c>generator</c>).</summary>
    public Linear Generator { get; }

    /// <summary>Source token embedding (<c>src_tok_emb</c>).</summary>
    public Module SourceEmbedding { get; }

    /// <summary>Target token embedding (<c>tgt_tok_emb</c>).</summary>
    public Module TargetEmbedding { get; }

    /// <summary>Positions (<c>positional_encoding</c>).</summary>
    public SinusoidalPositionalEncoding PositionalEncoding { get; }

    /// <summary>Dropout after embedding + positions.</summary>
    public Dropout Dropout { get; }

    /// <summary>A seq2seq model needs a source and a target: call the overload that takes both.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("Seq2SeqTransformer needs a source and a target: call Forward(source, targetIn)");

    /// <summary>Logits [B, L_t, V] of the next target token at every position (teacher forcing, causal decoder).</summary>
    /// <param name="source">Source ids [B, L_s].</param>
    /// <param name="targetIn">Target ids [B, L_t] fed to the decoder (start token first).</param>
    public Tensor Forward(Tensor source, Tensor targetIn)
    {
        var srcPadding = Padding(source, "source");
        var memory = Encode(source, srcPadding);
        var tgtPadding = Padding(targetIn, "target");
        var x = Embed(TargetEmbedding, targetIn, 0);
        var y = Transformer.Decoder.Forward(x, memory, tgtKeyPaddingMask: tgtPadding, memoryKeyPaddingMask: srcPadding, tgtIsCausal: true);
        return Generator.Forward(y);
    }

    /// <summary>
    /// Starts decoding: encodes <paramref name="source"/> [B, L_s] once and returns a session that
    /// feeds target tokens one position at a time. <paramref name="repeat"/> copies each source row
    /// that many times (rows b·repeat … b·repeat + repeat − 1), as beam search needs. Call
    /// <c>Eval()</c> first so dropout is off.
    /// </summary>
    /// <param name="source">Source ids [B, L_s].</param>
    /// <param name="maxLength">Target positions to allow (at most the positional table's size).</param>
    /// <param name="useCache">Keep keys and values of past steps (else every step reruns the prefix).</param>
    /// <param name="repeat">Copies of each source row.</param>
    /// <exception cref="ArgumentOutOfRangeException">maxLength exceeds the positional table; names both.</exception>
    public TokenDecoder StartDecoding(Tensor source, int maxLength, bool useCache = true, int repeat = 1)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        if (maxLength > MaxLength)
            throw new ArgumentOutOfRangeException(nameof(maxLength), string.Create(CultureInfo.InvariantCulture,
                $"Seq2SeqTransformer: decoding {maxLength} positions exceeds the positional table of {MaxLength} positions (maxLength)"));
        Tensor memory;
        Tensor? padding;
        using (GradMode.NoGrad())
        using (TensorScope.Begin("encoding for decoding"))
        {
            var src = repeat == 1 ? source : RepeatRows(source, repeat);
            var mask = Padding(src, "source");
            memory = TensorScope.Keep(Encode(src, mask));
            padding = mask is { } m ? TensorScope.Keep(m.Values) : null;
        }
        return new Decoder(this, memory, padding, maxLength, useCache);
    }

    /// <summary><c>Seq2SeqTransformer(E=128, vocab 40 → 20)</c>.</summary>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"Seq2SeqTransformer(E={DModel}, vocab {SourceVocabulary} → {TargetVocabulary})");

    private Tensor Encode(Tensor source, AttentionMask? padding) =>
        Transformer.Encoder.Forward(Embed(SourceEmbedding, source, 0), srcKeyPaddingMask: padding);

    private Tensor Embed(Module embedding, Tensor ids, int start)
    {
        if (ids.Rank != 2) throw new ShapeMismatchException($"{Describe()}: token ids must be [B, L], got {ids.Shape}");
        var x = embedding.Forward(ids);
        if (EmbeddingScale != 1f) x = x * EmbeddingScale;
        return Dropout.Forward(PositionalEncoding.Forward(x, start));
    }

    private AttentionMask? Padding(Tensor ids, string what)
    {
        if (ids.Rank != 2) throw new ShapeMismatchException($"{Describe()}: {what} ids must be [B, L], got {ids.Shape}");
        return PaddingToken is { } pad ? AttentionMask.Boolean(ids.Eq(pad)) : null;
    }

    private static Tensor RepeatRows(Tensor x, int repeat)
    {
        var index = Tensor.Scoped(new Shape(x.Shape[0] * repeat));
        var s = index.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = i / repeat;
        return x.IndexSelect(0, index);
    }

    private sealed class Decoder : TokenDecoder
    {
        private readonly Seq2SeqTransformer _model;
        private readonly Tensor _memory;
        private readonly Tensor? _padding;
        private readonly TransformerCache? _cache;

        public Decoder(Seq2SeqTransformer model, Tensor memory, Tensor? padding, int maxLength, bool useCache)
            : base(memory.Shape[0], model.TargetVocabulary, maxLength)
        {
            _model = model;
            _memory = memory;
            _padding = padding;
            if (useCache) _cache = new TransformerCache(model.Transformer.Decoder.Layers.Count, maxLength, withMemory: true);
        }

        protected override Tensor StepCore(ReadOnlySpan<int> tokens, int position)
        {
            var m = _model;
            AttentionMask? memoryPadding = _padding is null ? null : AttentionMask.Boolean(_padding);
            Tensor y;
            if (_cache is not null)
            {
                var x = m.Embed(m.TargetEmbedding, Ids(tokens, Batch), position);
                y = m.Transformer.Decoder.Forward(x, _memory, memoryKeyPaddingMask: memoryPadding, tgtIsCausal: true, cache: _cache);
            }
            else
            {
                var x = m.Embed(m.TargetEmbedding, PrefixIds(), 0);
                y = m.Transformer.Decoder.Forward(x, _memory, memoryKeyPaddingMask: memoryPadding, tgtIsCausal: true).Narrow(1, position, 1);
            }
            return m.Generator.Forward(y).Reshape(Batch, m.TargetVocabulary);
        }

        protected override void ReorderCore(ReadOnlySpan<int> rows) => _cache?.Reorder(rows);
    }
}
