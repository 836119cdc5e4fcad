using System.Text;

namespace Nabla.Data.Text;

/// <summary>
/// Turns a text into tokens the way Keras' <c>TextVectorization</c> does by default: standardize
/// (lowercase, then delete ASCII punctuation <c>!"#$%&amp;'()*+,-./:;&lt;=&gt;?@[\]^_`{|}~</c>, so
/// "don't" → "dont" and "e-mail" → "email"), split on whitespace, then optionally drop English
/// stop words (<see cref="EnglishStopWords"/>, before n-grams are formed, as scikit-learn does) and
/// add word n-grams: with <see cref="NGrams"/> = 2 the tokens are every word, then every pair of
/// neighbouring words joined by a space ("red", "fox", "red fox"), Keras' order.
/// </summary>
/// <remarks>
/// Lowercasing is Unicode-aware (<see cref="string.ToLowerInvariant"/>), so "Ärger" → "ärger";
/// Keras lowercases ASCII letters only.
/// </remarks>
public sealed class Tokenizer
{
    /// <summary>A tokenizer with the given options.</summary>
    /// <param name="removeStopWords">Drop <see cref="EnglishStopWords"/>.</param>
    /// <param name="ngrams">Largest n-gram size (1 = words only).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ngrams"/> is below 1.</exception>
    public Tokenizer(bool removeStopWords = false, int ngrams = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ngrams, 1);
        RemoveStopWords = removeStopWords;
        NGrams = ngrams;
    }

    /// <summary>Whether English stop words are dropped.</summary>
    public bool RemoveStopWords { get; }

    /// <summary>Largest n-gram size: tokens are all 1-grams, then all 2-grams, … up to this.</summary>
    public int NGrams { get; }

    /// <summary>Lowercases <paramref name="text"/> and deletes ASCII punctuation.</summary>
    public static string Standardize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lower = text.ToLowerInvariant();
        int keep = 0;
        foreach (char ch in lower) if (!IsPunctuation(ch)) keep++;
        if (keep == lower.Length) return lower;
        var sb = new StringBuilder(keep);
        foreach (char ch in lower) if (!IsPunctuation(ch)) sb.Append(ch);
        return sb.ToString();
    }

    /// <summary>True for the characters Keras' default standardization deletes (Python's <c>string.punctuation</c>).</summary>
    public static bool IsPunctuation(char ch) => ch < 128 && (ch is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~');

    /// <summary>The tokens of <paramref name="text"/>.</summary>
    public List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/>.</summary>
    public void Tokenize(string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var standardized = Standardize(text);
        int first = tokens.Count;
        int i = 0;
        while (i < standardized.Length)
        {
            while (i < standardized.Length && char.IsWhiteSpace(standardized[i])) i++;
            int start = i;
            while (i < standardized.Length && !char.IsWhiteSpace(standardized[i])) i++;
            if (i == start) continue;
            var word = standardized[start..i];
            if (RemoveStopWords && EnglishStopWords.Contains(word)) continue;
            tokens.Add(word);
        }
        int words = tokens.Count - first;
        for (int n = 2; n <= NGrams; n++)
            for (int s = 0; s + n <= words; s++)
                tokens.Add(string.Join(' ', tokens.GetRange(first + s, n)));
    }
}
