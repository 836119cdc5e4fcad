using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nabla.Data.Text;

/// <summary>How a <see cref="SequenceVocabulary"/> cuts text into tokens.</summary>
public enum SequenceTokens
{
    /// <summary>Each Unicode scalar value is a token (an emoji is one); decoding concatenates them.</summary>
    Char,

    /// <summary>Whitespace-separated words, case and punctuation kept; decoding joins them with one space.</summary>
    Word,
}

/// <summary>
/// Tokens ↔ ids for sequence-to-sequence models, which read and write text token by token:
/// 0 = padding, 1 = <c>[UNK]</c> (a token not seen in training), 2 = <c>[START]</c> (fed to the decoder
/// first), 3 = <c>[END]</c> (end of sentence: generation stops there), then the training tokens by
/// decreasing count, ties in ordinal order. Text is kept as written (no lower-casing or punctuation
/// stripping, unlike <see cref="TextVectorization"/>), since the output is text to read back.
/// </summary>
/// <example><code>
/// var target = SequenceVocabulary.Build(trainTargets, SequenceTokens.Char);
/// int[] ids = target.Encode("2021-03-03");          // no start or end token
/// string text = target.Decode(ids);                  // "2021-03-03"
/// </code></example>
public sealed class SequenceVocabulary
{
    private const string Format = "nabla.sequence_vocabulary";

    /// <summary>Id of padding.</summary>
    public const int Padding = 0;

    /// <summary>Id of a token not in the vocabulary.</summary>
    public const int Unknown = 1;

    /// <summary>Id of the start token.</summary>
    public const int Start = 2;

    /// <summary>Id of the end-of-sentence token.</summary>
    public const int End = 3;

    /// <summary>Ids below this one are the special tokens above.</summary>
    public const int Specials = 4;

    private static readonly string[] SpecialNames = ["", "[UNK]", "[START]", "[END]"];
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private SequenceVocabulary(SequenceTokens tokens, string[] learned)
    {
        Tokens = tokens;
        _tokens = [.. SpecialNames, .. learned];
        _ids = new Dictionary<string, int>(learned.Length, StringComparer.Ordinal);
        for (int i = 0; i < learned.Length; i++)
            if (learned[i].Length == 0 || !_ids.TryAdd(learned[i], Specials + i))
                throw new DataFormatException($"sequence vocabulary: token {Specials + i} '{learned[i]}' is empty or appears twice");
    }

    /// <summary>How texts are cut into tokens.</summary>
    public SequenceTokens Tokens { get; }

    /// <summary>Ids in all, the four special tokens included (the rows of an embedding table).</summary>
    public int Count => _tokens.Length;

    /// <summary>The token of <paramref name="id"/> (special tokens by their bracketed names, padding as "").</summary>
    public string this[int id] => _tokens[id];

    /// <summary>The vocabulary of <paramref name="texts"/>: every token they hold at least <paramref name="minCount"/> times.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minCount"/> is below 1.</exception>
    public static SequenceVocabulary Build(IEnumerable<string> texts, SequenceTokens tokens, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var token in Split(text, tokens))
                counts[token] = counts.GetValueOrDefault(token) + 1;
        var kept = counts.Where(kv => kv.Value >= minCount).ToList();
        kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        return new SequenceVocabulary(tokens, [.. kept.Select(kv => kv.Key)]);
    }

    /// <summary>The tokens of <paramref name="text"/>: its Unicode scalar values, or its whitespace-separated words.</summary>
    public static IEnumerable<string> Split(string text, SequenceTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        return tokens == SequenceTokens.Char
            ? text.EnumerateRunes().Select(r => r.ToString())
            : text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>True when <paramref name="token"/> has its own id.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The ids of <paramref name="text"/> (no start or end token); unknown tokens become <see cref="Unknown"/>.</summary>
    public int[] Encode(string text) => [.. Split(text, Tokens).Select(t => _ids.TryGetValue(t, out int id) ? id : Unknown)];

    /// <summary>
    /// The first token of <paramref name="text"/> without an id and its position (0-based, in tokens),
    /// or null when every token is known.
    /// </summary>
    public (string Token, int Position)? FirstUnknown(string text)
    {
        int i = 0;
        foreach (var t in Split(text, Tokens))
        {
            if (!_ids.ContainsKey(t)) return (t, i);
            i++;
        }
        return null;
    }

    /// <summary>The number of tokens of <paramref name="text"/>.</summary>
    public int Length(string text) => Split(text, Tokens).Count();

    /// <summary>The text of <paramref name="ids"/>: padding, start and end skipped, an unknown token shown as '�'.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if (id is Padding or Start or End || (uint)id >= (uint)Count) continue;
            if (Tokens == SequenceTokens.Word && sb.Length > 0) sb.Append(' ');
            sb.Append(id == Unknown ? "\uFFFD" : _tokens[id]);
        }
        return sb.ToString();
    }

    /// <summary>One line of JSON: the token kind and the learned tokens in id order (for a model file's metadata).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", 1);
            w.WriteString("tokens", Tokens == SequenceTokens.Char ? "char" : "word");
            w.WriteStartArray("vocabulary");
            for (int i = Specials; i < _tokens.Length; i++) w.WriteStringValue(_tokens[i]);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A vocabulary saved by <see cref="ToJson"/>.</summary>
    /// <exception cref="DataFormatException">The text is not such JSON; names what is wrong.</exception>
    public static SequenceVocabulary FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var f) || f.GetString() != Format)
                throw new DataFormatException($"sequence vocabulary JSON: expected an object with \"format\": \"{Format}\"");
            if (!root.TryGetProperty("version", out var v) || v.GetInt32() != 1)
                throw new DataFormatException("sequence vocabulary JSON: unsupported or missing version");
            var tokens = root.TryGetProperty("tokens", out var t) ? ParseTokens(t.GetString()) : null;
            if (tokens is null) throw new DataFormatException("sequence vocabulary JSON: \"tokens\" must be \"char\" or \"word\"");
            if (!root.TryGetProperty("vocabulary", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new DataFormatException("sequence vocabulary JSON: \"vocabulary\" must be a list of tokens");
            return new SequenceVocabulary(tokens.Value, [.. list.EnumerateArray().Select(e => e.GetString() ?? "")]);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException($"sequence vocabulary JSON: {e.Message}", e);
        }
    }

    /// <summary><c>char</c> or <c>word</c> (any case) as a token kind, else null.</summary>
    public static SequenceTokens? ParseTokens(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "char" or "chars" or "character" or "characters" => SequenceTokens.Char,
        "word" or "words" => SequenceTokens.Word,
        _ => null,
    };

    /// <summary><c>char</c> or <c>word</c>.</summary>
    public static string Name(SequenceTokens tokens) => tokens == SequenceTokens.Char ? "char" : "word";

    /// <summary>"58 char tokens (4 special)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Count} {Name(Tokens)} tokens ({Specials} special)");
}
