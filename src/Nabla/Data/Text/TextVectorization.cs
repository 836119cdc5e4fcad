using System.Text;
using System.Text.Json;
using Nabla.Tensors;

namespace Nabla.Data.Text;

/// <summary>
/// Keras' <c>TextVectorization</c> with <c>output_mode="int"</c>: a <see cref="Tokenizer"/> and a
/// <see cref="Vocabulary"/> learned from training rows by <see cref="Adapt"/>, mapping each text to
/// token indices (0 = padding, 1 = out-of-vocabulary) padded or truncated to a common length.
/// </summary>
/// <example><code>
/// var vectorizer = new TextVectorization(maxTokens: 20_000, outputSequenceLength: 100);
/// vectorizer.Adapt(trainTexts);                           // vocabulary from the training rows only
/// Tensor ids = vectorizer.Transform(trainTexts);          // [N, 100], whole numbers
/// string saved = vectorizer.ToJson();                     // for a model file's metadata
/// var same = TextVectorization.FromJson(saved);
/// </code></example>
public sealed class TextVectorization
{
    private const string Format = "nabla.text_vectorization";

    /// <summary>An un-adapted vectorizer.</summary>
    /// <param name="maxTokens">Largest vocabulary, padding and OOV included (Keras' <c>max_tokens</c>); null = no limit.</param>
    /// <param name="minCount">Fewest occurrences in the training rows for a token to get its own index.</param>
    /// <param name="removeStopWords">Drop <see cref="EnglishStopWords"/>.</param>
    /// <param name="ngrams">Largest word n-gram (1 = words only).</param>
    /// <param name="outputSequenceLength">Pad or truncate every row to this length; null pads to the longest row of each call.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public TextVectorization(int? maxTokens = null, int minCount = 1, bool removeStopWords = false, int ngrams = 1, int? outputSequenceLength = null)
    {
        if (maxTokens is < 2) throw new ArgumentOutOfRangeException(nameof(maxTokens), $"maxTokens must be at least 2 (padding and OOV), got {maxTokens}");
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        if (outputSequenceLength is < 1) throw new ArgumentOutOfRangeException(nameof(outputSequenceLength), $"outputSequenceLength must be at least 1, got {outputSequenceLength}");
        MaxTokens = maxTokens;
        MinCount = minCount;
        OutputSequenceLength = outputSequenceLength;
        Tokenizer = new Tokenizer(removeStopWords, ngrams);
    }

    /// <summary>How texts become tokens.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Largest vocabulary (padding and OOV included), or null.</summary>
    public int? MaxTokens { get; }

    /// <summary>Fewest occurrences for a token to get its own index.</summary>
    public int MinCount { get; }

    /// <summary>The fixed output length, or null for each call's longest row.</summary>
    public int? OutputSequenceLength { get; }

    /// <summary>The learned vocabulary.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="Adapt"/>.</exception>
    public Vocabulary Vocabulary => _vocabulary ?? throw new InvalidOperationException("TextVectorization has no vocabulary yet: call Adapt(trainingTexts) first");

    private Vocabulary? _vocabulary;

    /// <summary>True once a vocabulary exists.</summary>
    public bool IsAdapted => _vocabulary is not null;

    /// <summary>Learns the vocabulary from <paramref name="texts"/> (the training rows only), replacing any earlier one.</summary>
    public void Adapt(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        _vocabulary = Vocabulary.Build(texts.Select(t => (IReadOnlyList<string>)Tokenizer.Tokenize(t)), MaxTokens, MinCount);
    }

    /// <summary>The token indices of <paramref name="text"/>, unpadded (empty for a text without tokens).</summary>
    public int[] Encode(string text)
    {
        var vocabulary = Vocabulary;
        var tokens = Tokenizer.Tokenize(text);
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = vocabulary.IndexOf(tokens[i]);
        return ids;
    }

    /// <summary>
    /// The rows as a tensor <c>[N, L]</c> of token indices: L = <see cref="OutputSequenceLength"/>
    /// (longer rows keep their first L tokens) or, when null, the longest row (at least 1);
    /// shorter rows are padded with 0 at the end.
    /// </summary>
    public Tensor Transform(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = new int[texts.Count][];
        for (int i = 0; i < rows.Length; i++) rows[i] = Encode(texts[i]);
        return Pad(rows, OutputSequenceLength);
    }

    /// <summary>Index rows as a padded tensor <c>[N, L]</c> (L = <paramref name="length"/>, or the longest row, at least 1).</summary>
    public static Tensor Pad(IReadOnlyList<int[]> rows, int? length)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int l = length ?? Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Length));
        var values = new float[rows.Count * l];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            int n = Math.Min(row.Length, l);
            for (int j = 0; j < n; j++) values[i * l + j] = row[j];
        }
        return Tensor.FromArray(values, rows.Count, l);
    }

    /// <summary>
    /// The settings and vocabulary as compact JSON (one line), for a model file's metadata; the
    /// vocabulary lists the tokens from index 2 on.
    /// </summary>
    /// <exception cref="InvalidOperationException">Before <see cref="Adapt"/>.</exception>
    public string ToJson()
    {
        var vocabulary = Vocabulary;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", 1);
            w.WriteString("standardize", "lower_and_strip_punctuation");
            w.WriteString("split", "whitespace");
            if (Tokenizer.RemoveStopWords) w.WriteString("stop_words", "english");
            else w.WriteNull("stop_words");
            w.WriteNumber("ngrams", Tokenizer.NGrams);
            WriteOptional(w, "max_tokens", MaxTokens);
            w.WriteNumber("min_count", MinCount);
            WriteOptional(w, "output_sequence_length", OutputSequenceLength);
            w.WriteStartArray("vocabulary");
            for (int i = 2; i < vocabulary.Count; i++) w.WriteStringValue(vocabulary[i]);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>A vectorizer saved by <see cref="ToJson"/>, vocabulary included.</summary>
    /// <exception cref="DataFormatException">The text is not such JSON; names the field.</exception>
    public static TextVectorization FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var f) || f.GetString() != Format)
                throw new DataFormatException($"text vectorization JSON: expected an object with \"format\": \"{Format}\"");
            if (Required(root, "version").GetInt32() != 1)
                throw new DataFormatException($"text vectorization JSON: unsupported version {root.GetProperty("version")}");
            if (Required(root, "standardize").GetString() != "lower_and_strip_punctuation" || Required(root, "split").GetString() != "whitespace")
                throw new DataFormatException("text vectorization JSON: only standardize \"lower_and_strip_punctuation\" and split \"whitespace\" are supported");
            var stop = Required(root, "stop_words");
            if (stop.ValueKind != JsonValueKind.Null && stop.GetString() != "english")
                throw new DataFormatException($"text vectorization JSON: unknown stop_words {stop}");
            var vectorizer = new TextVectorization(OptionalInt(root, "max_tokens"), Required(root, "min_count").GetInt32(),
                stop.ValueKind != JsonValueKind.Null, Required(root, "ngrams").GetInt32(), OptionalInt(root, "output_sequence_length"));
            var tokens = new List<string>();
            foreach (var t in Required(root, "vocabulary").EnumerateArray()) tokens.Add(t.GetString()!);
            vectorizer._vocabulary = Vocabulary.FromTokens(tokens);
            return vectorizer;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new DataFormatException($"text vectorization JSON is malformed: {e.Message}", e);
        }
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) ? v : throw new DataFormatException($"text vectorization JSON: missing \"{name}\"");

    private static int? OptionalInt(JsonElement root, string name)
    {
        var v = Required(root, name);
        return v.ValueKind == JsonValueKind.Null ? null : v.GetInt32();
    }
}
