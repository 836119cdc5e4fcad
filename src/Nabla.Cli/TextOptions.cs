using System.CommandLine;

namespace Nabla.Cli;

/// <summary>
/// The options of <c>nabla train</c> for <c>text:</c> data: which column holds the texts, how they
/// become token ids (<c>TextVectorization</c>'s settings), and pre-trained word vectors for the
/// embedding. Unset values fall back to <see cref="TextSettings"/>' defaults.
/// </summary>
internal sealed class TextOptions
{
    public readonly Option<string?> Text = new("--text") { Description = "text: data: the column holding the texts" };
    public readonly Option<int?> MaxTokens = new("--max-tokens") { Description = $"text: largest vocabulary, padding and out-of-vocabulary included (default {TextSettings.DefaultMaxTokens})" };
    public readonly Option<int?> MinCount = new("--min-count") { Description = $"text: fewest occurrences in the training rows for a token to get its own id (default {TextSettings.DefaultMinCount})" };
    public readonly Option<int?> SequenceLength = new("--sequence-length") { Description = "text: pad or truncate every text to this many tokens (default: each batch's longest text)" };
    public readonly Option<string?> StopWords = new("--stopwords") { Description = "text: 'english' drops English stop words (default: keep every word)" };
    public readonly Option<int?> NGrams = new("--ngrams") { Description = $"text: add word n-grams up to N, e.g. 2 adds bigrams (default {TextSettings.DefaultNGrams})" };
    public readonly Option<string?> Embeddings = new("--embeddings") { Description = "text: start the embedding from these word vectors (word2vec/GloVe text format, e.g. from nabla embed)" };
    public readonly Option<bool> FreezeEmbeddings = new("--freeze-embeddings") { Description = "text: keep the embedding table fixed (with --embeddings)" };

    public IEnumerable<Option> All => [Text, MaxTokens, MinCount, SequenceLength, StopWords, NGrams, Embeddings, FreezeEmbeddings];

    /// <summary>The options that decide the vocabulary and the embedding table, fixed once a model exists.</summary>
    public IEnumerable<Option> Vocabulary => [Text, MaxTokens, MinCount, SequenceLength, StopWords, NGrams, Embeddings];

    /// <summary>True when <paramref name="spec"/> names text data.</summary>
    public static bool IsText(string spec) => spec.TrimStart().StartsWith("text:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Refuses text options given for other data (they would be silently ignored).</summary>
    public void CheckApplies(ParseResult r, string data)
    {
        if (IsText(data)) return;
        foreach (var option in All)
            NablaCommand.Require(!TrainingSettings.IsGiven(r, option), $"{option.Name} applies to text: data, not {data}");
    }

    /// <summary>Range checks of the text settings (given now or stored in a resumed model).</summary>
    public static void Validate(TextSettings t)
    {
        NablaCommand.Require(t.Column is null || t.Column.Trim().Length > 0, "--text must name the column holding the texts");
        NablaCommand.Require(t.MaxTokens is null or >= 3, $"--max-tokens must be at least 3 (padding, out-of-vocabulary and one word), got {t.MaxTokens}");
        NablaCommand.Require(t.MinCount >= 1, $"--min-count must be at least 1, got {t.MinCount}");
        NablaCommand.Require(t.SequenceLength is null or >= 1, $"--sequence-length must be at least 1, got {t.SequenceLength}");
        NablaCommand.Require(t.NGrams is >= 1 and <= TextSettings.MaxNGrams, $"--ngrams must be 1..{TextSettings.MaxNGrams}, got {t.NGrams}");
        NablaCommand.Require(!t.FreezeEmbeddings || t.Embeddings is not null, "--freeze-embeddings keeps pre-trained vectors fixed and needs --embeddings FILE");
    }

    /// <summary>Parses a <c>--stopwords</c> value: true for english, false for none.</summary>
    public static bool ParseStopWords(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "none" => false,
        "english" => true,
        _ => throw new UsageException($"unknown stop-word list '{value}' for --stopwords (known: english, none)"),
    };
}
