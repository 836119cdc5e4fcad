using System.Globalization;
using System.Text;

namespace Nabla.Samples;

/// <summary>
/// Characters (Unicode scalar values, so an emoji is one token) as token ids for the transformer
/// samples: 0 = padding, 1 = start, 2 = end, 3 = a character too rare to have its own id, then every
/// character seen at least <c>minCount</c> times in the training text, in code-point order.
/// <see cref="Encode"/> refuses a character it has no id for (a prompt at generation time);
/// <see cref="EncodeLenient"/> maps it to the rare-character token (training and test data).
/// </summary>
internal sealed class CharVocabulary
{
    public const int Pad = 0, Start = 1, End = 2, Rare = 3;
    private const int Specials = 4;
    private readonly Dictionary<Rune, int> _ids = [];
    private readonly List<Rune> _runes = [];

    public CharVocabulary(IEnumerable<string> texts, int minCount = 1)
    {
        var counts = new Dictionary<Rune, int>();
        foreach (var t in texts)
            foreach (var r in t.EnumerateRunes()) counts[r] = counts.GetValueOrDefault(r) + 1;
        foreach (var r in counts.Where(c => c.Value >= minCount).Select(c => c.Key).Order())
        {
            _ids[r] = Specials + _runes.Count;
            _runes.Add(r);
        }
    }

    /// <summary>Token count, specials included.</summary>
    public int Count => Specials + _runes.Count;

    /// <summary>The ids of <paramref name="text"/> (no start or end token).</summary>
    /// <exception cref="ArgumentException">A character has no id; names it and its position.</exception>
    public int[] Encode(string text, string what = "input")
    {
        var ids = new List<int>(text.Length);
        foreach (var r in text.EnumerateRunes())
        {
            if (!_ids.TryGetValue(r, out int id))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"unknown character '{r}' (U+{r.Value:X4}) at position {ids.Count} of the {what} \"{text}\": the vocabulary has the {_runes.Count} characters seen in training"));
            ids.Add(id);
        }
        return [.. ids];
    }

    /// <summary>The ids of <paramref name="text"/>, characters without an id becoming <see cref="Rare"/>.</summary>
    public int[] EncodeLenient(string text)
    {
        var ids = new List<int>(text.Length);
        foreach (var r in text.EnumerateRunes()) ids.Add(_ids.TryGetValue(r, out int id) ? id : Rare);
        return [.. ids];
    }

    /// <summary>The text of <paramref name="ids"/>: specials skipped, a rare character shown as '�'.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int i in ids)
        {
            if (i == Rare) sb.Append('\uFFFD');
            else if (i >= Specials && i < Count) sb.Append(_runes[i - Specials].ToString());
        }
        return sb.ToString();
    }
}
