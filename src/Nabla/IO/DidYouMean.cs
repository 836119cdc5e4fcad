namespace Nabla.IO;

/// <summary>Suggests the known word a misspelt one was probably meant to be (for one-line error messages).</summary>
public static class DidYouMean
{
    /// <summary>
    /// The known word closest to <paramref name="word"/> in edit distance, when it is close enough to
    /// be a typo (at most one edit per three characters, and at least one), else null.
    /// </summary>
    public static string? Closest(string word, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            int d = Distance(word, candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        return best is not null && bestDistance > 0 && bestDistance <= Math.Max(1, word.Length / 3) ? best : null;
    }

    /// <summary><c>"; did you mean 'x'?"</c> or an empty string.</summary>
    public static string Hint(string word, IEnumerable<string> known) =>
        Closest(word, known) is { } s ? $"; did you mean '{s}'?" : "";

    // Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
