using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Generation;

/// <summary>
/// A decoder-only (GPT-style) language model on token ids: token embedding (<c>tok_emb</c>) plus
/// sinusoidal positions (<c>positional_encoding</c>) and dropout, a causal
/// <see cref="TransformerEncoder"/> of pre-norm layers with a final layer norm (<c>encoder</c>), and
/// a linear layer to next-token logits (<c>head</c>). Its PyTorch twin is
/// <c>nn.TransformerEncoder(nn.TransformerEncoderLayer(…, batch_first=True, norm_first=True), n, nn.LayerNorm(d))</c>
/// run with the square subsequent mask.
/// </summary>
/// <remarks>
/// Padding needs no mask: padding only follows a sequence's end, and causal attention never lets a
/// real position see a later one (give the padding targets zero weight in the loss). The embedding
/// layer is passed in, as for <see cref="Seq2SeqTransformer"/>.
/// </remarks>
public sealed class TransformerLanguageModel : Module
{
    /// <summary>A language model.</summary>
    /// <param name="vocabulary">Token count (the size of the logits).</param>
    /// <param name="dModel">Embedding width E.</param>
    /// <param name="nhead">Attention heads.</param>
    /// <param name="numLayers">Transformer layers.</param>
    /// <param name="rng">Seeded source of initial weights and dropout masks.</param>
    /// <param name="embedding">Builds the token embedding from (vocabulary size, E).</param>
    /// <param name="dimFeedforward">Feed-forward width.</param>
    /// <param name="dropout">Dropout probability in training.</param>
    /// <param name="maxLength">Longest sequence (the positional table's size).</param>
    /// <param name="activation"><c>relu</c> or <c>gelu</c>.</param>
    public TransformerLanguageModel(int vocabulary, int dModel, int nhead, int numLayers, Rng rng, Func<int, int, Module> embedding,
        int dimFeedforward = 512, double dropout = 0.1, int maxLength = 256, string activation = "gelu")
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        Vocabulary = vocabulary;
        DModel = dModel;
        TokenEmbedding = RegisterModule("tok_emb", embedding(vocabulary, dModel));
        PositionalEncoding = RegisterModule("positional_encoding", new SinusoidalPositionalEncoding(dModel, maxLength));
        Dropout = RegisterModule("dropout", new Dropout(dropout, rng));
        Encoder = RegisterModule("encoder", new TransformerEncoder(
            _ => new TransformerEncoderLayer(dModel, nhead, rng, dimFeedforward, dropout, activation, normFirst: true),
            numLayers, new LayerNorm(dModel)));
        Head = RegisterModule("head", new Linear(dModel, vocabulary, rng));
    }

    /// <summary>Token count.</summary>
    public int Vocabulary { get; }

    /// <summary>E.</summary>
    public int DModel { get; }

    /// <summary>Longest sequence the positional table takes.</summary>
    public int MaxLength => PositionalEncoding.MaxLength;

    /// <summary>Token embedding (<c>tok_emb</c>).</summary>
    public Module TokenEmbedding { get; }

    /// <summary>Positions (<c>positional_encoding</c>).</summary>
    public SinusoidalPositionalEncoding PositionalEncoding { get; }

    /// <summary>Dropout after embedding + positions.</summary>
    public Dropout Dropout { get; }

    /// <summary>The causal transformer body with its final norm (<c>encoder</c>).</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>Projection to next-token logits (<c>head</c>).</summary>
    public Linear Head { get; }

    /// <summary>Logits [B, L, V] of the next token after each position of <paramref name="input"/> (ids [B, L]).</summary>
    /// <exception cref="ShapeMismatchException">The ids are not [B, L] or L exceeds the positional table.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Head.Forward(Encoder.Forward(Embed(input, 0), isCausal: true));
    }

    /// <summary>
    /// Starts generating <paramref name="batch"/> rows (feed the prompt through <see cref="TokenDecoder.Step"/>,
    /// or use <see cref="Decoding.Sample"/>). Call <c>Eval()</c> first so dropout is off.
    /// </summary>
    /// <param name="batch">Rows generated side by side.</param>
    /// <param name="maxLength">Positions (prompt + generated) to allow, at most the positional table's size.</param>
    /// <param name="useCache">Keep keys and values of past positions (else every step reruns the prefix).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxLength exceeds the positional table; names both.</exception>
    public TokenDecoder StartDecoding(int batch, int maxLength, bool useCache = true)
    {
        if (maxLength > MaxLength)
            throw new ArgumentOutOfRangeException(nameof(maxLength), string.Create(CultureInfo.InvariantCulture,
                $"TransformerLanguageModel: decoding {maxLength} positions exceeds the positional table of {MaxLength} positions (maxLength)"));
        return new Decoder(this, batch, maxLength, useCache);
    }

    /// <summary><c>TransformerLanguageModel(E=128, 4 layers, vocab 96)</c>.</summary>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"TransformerLanguageModel(E={DModel}, {Encoder.Layers.Count} layers, vocab {Vocabulary})");

    private Tensor Embed(Tensor ids, int start)
    {
        if (ids.Rank != 2) throw new ShapeMismatchException($"{Describe()}: token ids must be [B, L], got {ids.Shape}");
        return Dropout.Forward(PositionalEncoding.Forward(TokenEmbedding.Forward(ids), start));
    }

    private sealed class Decoder : TokenDecoder
    {
        private readonly TransformerLanguageModel _model;
        private readonly TransformerCache? _cache;

        public Decoder(TransformerLanguageModel model, int batch, int maxLength, bool useCache) : base(batch, model.Vocabulary, maxLength)
        {
            _model = model;
            if (useCache) _cache = new TransformerCache(model.Encoder.Layers.Count, maxLength, withMemory: false);
        }

        protected override Tensor StepCore(ReadOnlySpan<int> tokens, int position)
        {
            var m = _model;
            var y = _cache is not null
                ? m.Encoder.Forward(m.Embed(Ids(tokens, Batch), position), isCausal: true, cache: _cache)
                : m.Encoder.Forward(m.Embed(PrefixIds(), 0), isCausal: true).Narrow(1, position, 1);
            return m.Head.Forward(y).Reshape(Batch, m.Vocabulary);
        }

        protected override void ReorderCore(ReadOnlySpan<int> rows) => _cache?.Reorder(rows);
    }
}
