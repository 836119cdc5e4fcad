namespace Nabla.Data;

/// <summary>
/// Binary bag-of-words features over a fixed vocabulary: the <c>maxWords</c> words that occur in
/// the most texts (ties broken by ordinal word order), each text becoming a sparse row with a 1 in
/// the column of every vocabulary word it contains. Tokens are the runs of ASCII letters and digits
/// of the lowercased text (Python: <c>re.findall(r"[a-z0-9]+", text.lower())</c>).
/// </summary>
/// <remarks>
/// The features are a <see cref="CsrMatrix"/>, never a dense <c>[texts, words]</c> matrix: 63,694
/// package descriptions over 5,000 words hold about 400,000 ones, where the dense form would take
/// 1.3 GB. A layer multiplies it with its weight directly (<c>features.Linear(w, b)</c>).
/// </remarks>
public sealed class BagOfWords
{
    private readonly Dictionary<string, int> _index;

    private BagOfWords(string[] words)
    {
        Words = words;
        _index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++) _index[words[i]] = i;
    }

    /// <summary>The vocabulary, most frequent first; a word's position is its feature column.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Number of words (feature columns).</summary>
    public int Count => Words.Count;

    /// <summary>The column of <paramref name="word"/>, or −1 when it is not in the vocabulary.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out int i) ? i : -1;

    /// <summary>The vocabulary of the <paramref name="maxWords"/> words found in the most <paramref name="texts"/> (document frequency).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWords"/> is below 1.</exception>
    public static BagOfWords Fit(IEnumerable<string?> texts, int maxWords)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, 1);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            seen.Clear();
            foreach (var token in Tokenize(text))
                if (seen.Add(token)) documentFrequency[token] = documentFrequency.GetValueOrDefault(token) + 1;
        }
        var words = documentFrequency.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxWords).Select(kv => kv.Key).ToArray();
        return new BagOfWords(words);
    }

    /// <summary>
    /// The binary feature matrix <c>[texts, Count]</c>: entry (t, w) is 1 when text t contains
    /// vocabulary word w. A null or empty text is an empty row.
    /// </summary>
    public CsrMatrix Transform(IReadOnlyList<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rowPointers = new int[texts.Count + 1];
        var columns = new List<int>();
        var row = new SortedSet<int>();
        for (int t = 0; t < texts.Count; t++)
        {
            row.Clear();
            foreach (var token in Tokenize(texts[t]))
                if (_index.TryGetValue(token, out int w)) row.Add(w);
            columns.AddRange(row);
            rowPointers[t + 1] = columns.Count;
        }
        return CsrMatrix.Trusted(texts.Count, Count, rowPointers, [.. columns], null);
    }

    /// <summary>The lowercased runs of ASCII letters and digits in <paramref name="text"/>, in order.</summary>
    public static IEnumerable<string> Tokenize(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        var token = new System.Text.StringBuilder();
        foreach (char ch in text)
        {
            char c = char.ToLowerInvariant(ch);
            if (char.IsAsciiLetterOrDigit(c))
            {
                token.Append(c);
                continue;
            }
            if (token.Length > 0)
            {
                yield return token.ToString();
                token.Clear();
            }
        }
        if (token.Length > 0) yield return token.ToString();
    }
}
