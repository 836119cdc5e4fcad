namespace Nabla.Data.Text;

/// <summary>
/// Token ↔ index map built from training text: index 0 is padding (<see cref="PaddingToken"/>,
/// the empty string), 1 is out-of-vocabulary (<see cref="OovToken"/>, Keras' <c>[UNK]</c>), then the
/// tokens by decreasing count, ties in ordinal (code-point) order — so the same rows always give
/// the same indices.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The token at index 0, which pads sequences to a common length.</summary>
    public const string PaddingToken = "";

    /// <summary>The token at index 1, which stands for every token not in the vocabulary.</summary>
    public const string OovToken = "[UNK]";

    /// <summary>Index of <see cref="PaddingToken"/>.</summary>
    public const int PaddingIndex = 0;

    /// <summary>Index of <see cref="OovToken"/>.</summary>
    public const int OovIndex = 1;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _index;

    private Vocabulary(string[] tokens)
    {
        _tokens = tokens;
        _index = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 2; i < tokens.Length; i++)
            if (!_index.TryAdd(tokens[i], i))
                throw new ArgumentException($"vocabulary token '{tokens[i]}' appears twice (indices {_index[tokens[i]]} and {i})");
    }

    /// <summary>
    /// The vocabulary of <paramref name="rows"/> (each a token list): tokens seen at least
    /// <paramref name="minCount"/> times, the most frequent first, at most <paramref name="maxTokens"/>
    /// entries counting padding and OOV (Keras' <c>max_tokens</c>), null for no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is below 2 or <paramref name="minCount"/> below 1.</exception>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> rows, int? maxTokens = null, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (maxTokens is < 2) throw new ArgumentOutOfRangeException(nameof(maxTokens), $"maxTokens must be at least 2 (padding and OOV), got {maxTokens}");
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
            foreach (var token in row)
                if (token.Length > 0 && token != OovToken)
                    counts[token] = counts.GetValueOrDefault(token) + 1;
        var kept = counts.Where(kv => kv.Value >= minCount).ToList();
        kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        int take = maxTokens is { } max ? Math.Min(kept.Count, max - 2) : kept.Count;
        var tokens = new string[take + 2];
        tokens[PaddingIndex] = PaddingToken;
        tokens[OovIndex] = OovToken;
        for (int i = 0; i < take; i++) tokens[i + 2] = kept[i].Key;
        return new Vocabulary(tokens);
    }

    /// <summary>
    /// A vocabulary with these tokens at indices 2, 3, … (padding and OOV come first, implicitly).
    /// </summary>
    /// <exception cref="ArgumentException">A token is empty, is <see cref="OovToken"/> or appears twice.</exception>
    public static Vocabulary FromTokens(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        string[] all = [PaddingToken, OovToken, .. tokens];
        for (int i = 2; i < all.Length; i++)
            if (all[i] is null || all[i].Length == 0 || all[i] == OovToken)
                throw new ArgumentException($"vocabulary token {i} is {(all[i] is null ? "null" : $"'{all[i]}'")}: tokens must be non-empty and not '{OovToken}'", nameof(tokens));
        return new Vocabulary(all);
    }

    /// <summary>Number of entries, padding and OOV included (the rows an embedding table needs).</summary>
    public int Count => _tokens.Length;

    /// <summary>The tokens by index: [0] = "", [1] = "[UNK]", then the learned tokens.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The token at <paramref name="index"/>.</summary>
    public string this[int index] => _tokens[index];

    /// <summary>The index of <paramref name="token"/>, or <see cref="OovIndex"/> when it is not in the vocabulary.</summary>
    public int IndexOf(string token) => _index.TryGetValue(token, out int i) ? i : OovIndex;

    /// <summary>True when <paramref name="token"/> has its own index.</summary>
    public bool Contains(string token) => _index.ContainsKey(token);
}
