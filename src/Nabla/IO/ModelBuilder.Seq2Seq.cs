using System.Globalization;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// The whole-model SPEC word <c>seq2seq(d=, heads=, layers=, ff=, dropout=, activation=, norm_first=,
/// src_vocab=, tgt_vocab=, max=)</c>: a <see cref="Seq2SeqTransformer"/> (token embeddings with padding
/// index 0, sinusoidal positions, an encoder-decoder <see cref="Transformer"/>, a linear generator). It
/// is a model of its own, not a layer of a <see cref="Sequential"/>: it reads a source and a target.
/// </summary>
public static partial class ModelBuilder
{
    /// <summary>The SPEC word of a sequence-to-sequence model.</summary>
    public const string Seq2SeqWord = "seq2seq";

    private static readonly string[] Seq2SeqNamed = ["d", "heads", "layers", "ff", "dropout", "activation", "norm_first", "src_vocab", "tgt_vocab", "max"];

    /// <summary>True when <paramref name="spec"/> is a <c>seq2seq(…)</c> SPEC (a SPEC that does not parse is not).</summary>
    public static bool IsSeq2Seq(string? spec)
    {
        if (spec is null) return false;
        try
        {
            return ModelSpec.Parse(spec).Any(l => l.Name == Seq2SeqWord);
        }
        catch (ModelSpecException)
        {
            return false;
        }
    }

    /// <summary>
    /// Builds the <see cref="Seq2SeqTransformer"/> of a <c>seq2seq(…)</c> SPEC. <c>src_vocab</c> and
    /// <c>tgt_vocab</c> (token counts, filled in by training from its vocabularies) and <c>max</c> (the
    /// positional table: longest source or target) are required; the rest default to d=128, heads=4,
    /// layers=2 (encoder and decoder each), ff=4·d, dropout=0.1, activation=relu, norm_first=false.
    /// </summary>
    /// <exception cref="ModelSpecException">Not one seq2seq word, an unknown or bad argument, heads that do not divide d; names the column.</exception>
    public static Seq2SeqTransformer BuildSeq2Seq(string spec, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var layers = ModelSpec.Parse(spec);
        if (layers.Count != 1 || layers[0].Name != Seq2SeqWord)
            throw new ModelSpecException($"model spec {Printable.Quote(spec)}: seq2seq(…) is a whole model and stands alone (e.g. seq2seq(d=128,heads=4,layers=2))");
        var s = layers[0];
        var kind = new LayerKind((_, _, _) => throw new InvalidOperationException(), [], Seq2SeqNamed);
        CheckArguments(s, kind);
        string where = $"model spec, column {s.Column}: {Printable.Escape(s.ToString())}";
        int d = s.NamedInt("d", 128), heads = s.NamedInt("heads", 4), depth = s.NamedInt("layers", 2), ff = s.NamedInt("ff", 4 * d);
        float dropout = s.NamedFloat("dropout", 0.1f);
        int source = s.NamedInt("src_vocab", 0), target = s.NamedInt("tgt_vocab", 0), max = s.NamedInt("max", 0);
        string activation = s.Named.GetValueOrDefault("activation", "relu");
        bool normFirst = s.Named.GetValueOrDefault("norm_first", "false") switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            var other => throw new ModelSpecException($"{where}: norm_first= takes true or false, got {Printable.Quote(other)}"),
        };
        void Require(bool ok, string message)
        {
            if (!ok) throw new ModelSpecException($"{where}: {message}");
        }
        Require(d >= 1 && heads >= 1 && depth >= 1 && ff >= 1, string.Create(CultureInfo.InvariantCulture, $"d=, heads=, layers= and ff= must be at least 1, got {d}, {heads}, {depth}, {ff}"));
        Require(d % heads == 0, string.Create(CultureInfo.InvariantCulture, $"heads={heads} does not divide d={d} (each head gets d/heads columns)"));
        Require(dropout is >= 0 and < 1, $"dropout= must be in [0, 1), got {dropout.ToString(CultureInfo.InvariantCulture)}");
        Require(activation is "relu" or "gelu", $"activation= takes relu or gelu, got {Printable.Quote(activation)}");
        Require(source > Data.Text.SequenceVocabulary.Specials && target > Data.Text.SequenceVocabulary.Specials,
            "src_vocab= and tgt_vocab= (token counts, special tokens included) are needed and must exceed 4; training fills them in");
        Require(max >= 2, "max= (the positional table: the longest source or target, in tokens) is needed and must be at least 2");
        CheckSize(s, (long)Math.Max(source, target) * d, $"{Math.Max(source, target)} tokens × d={d}");
        CheckSize(s, (long)max * d, $"{max} positions × d={d}");
        CheckSize(s, (long)ff * d, $"ff={ff} × d={d}");
        try
        {
            return new Seq2SeqTransformer(source, target, d, heads, rng, (n, e) => new Embedding(n, e, rng, paddingIdx: Data.Text.SequenceVocabulary.Padding),
                depth, depth, ff, dropout, max, Data.Text.SequenceVocabulary.Padding, normFirst, activation);
        }
        catch (ArgumentException e)
        {
            throw new ModelSpecException($"{where}: {Printable.MessageOf(e)}", e);
        }
    }

    /// <summary>
    /// <paramref name="spec"/> with the vocabulary sizes and the positional table filled in (kept when
    /// already given), in the canonical form a model file stores.
    /// </summary>
    /// <exception cref="ModelSpecException">The SPEC does not parse.</exception>
    public static string CompleteSeq2Seq(string spec, int sourceVocabulary, int targetVocabulary, int maxLength)
    {
        var layers = ModelSpec.Parse(spec);
        var named = new Dictionary<string, string>(layers[0].Named);
        named.TryAdd("src_vocab", sourceVocabulary.ToString(CultureInfo.InvariantCulture));
        named.TryAdd("tgt_vocab", targetVocabulary.ToString(CultureInfo.InvariantCulture));
        named.TryAdd("max", maxLength.ToString(CultureInfo.InvariantCulture));
        return ModelSpec.Format([layers[0] with { Named = named }, .. layers.Skip(1)]);
    }
}
