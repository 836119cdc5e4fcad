using System.Globalization;
using System.Text;

namespace Nabla;

/// <summary>
/// Makes text from files safe to echo in a message: control characters (ANSI escape sequences,
/// carriage returns, bells, newlines, bidirectional overrides) are written as visible escapes and
/// long values are cut, so a hostile or broken cell cannot rewrite the user's terminal or bury the
/// message. Every message that quotes a value read from a file goes through it.
/// </summary>
public static class Printable
{
    /// <summary>The most characters of a value that <see cref="Quote"/> shows before cutting it with <c>…</c>.</summary>
    public const int MaxQuotedLength = 80;

    /// <summary>
    /// <paramref name="value"/> between single quotes, escaped (<see cref="Escape"/>) and cut to
    /// <see cref="MaxQuotedLength"/> characters, e.g. <c>'\x1B[31mred'</c>.
    /// </summary>
    public static string Quote(string? value)
    {
        value ??= "";
        string shown = value.Length > MaxQuotedLength ? value[..MaxQuotedLength] : value;
        string escaped = Escape(shown);
        return value.Length > MaxQuotedLength
            ? string.Create(CultureInfo.InvariantCulture, $"'{escaped}…' ({value.Length:N0} characters)")
            : $"'{escaped}'";
    }

    /// <summary>
    /// The message of <paramref name="e"/> for a user: its first line, escaped, without the
    /// <c>(Parameter 'name')</c> that .NET appends to argument exceptions (a name from the code, not
    /// the user's input).
    /// </summary>
    public static string MessageOf(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        int lineBreak = message.IndexOfAny(['\r', '\n']);
        if (lineBreak >= 0) message = message[..lineBreak];
        if (e is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            int at = message.LastIndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message.Remove(at, suffix.Length);
        }
        return Escape(message);
    }

    /// <summary>
    /// <paramref name="text"/> with every control or format character that a terminal could act
    /// on replaced by a visible escape: <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\x1B</c>, <c>\u202E</c>.
    /// Printable text, including non-ASCII letters, is unchanged.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        int first = 0;
        while (first < text.Length && !NeedsEscape(text, first)) first++;
        if (first == text.Length) return text;
        var sb = new StringBuilder(text.Length + 8);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!NeedsEscape(text, i))
            {
                sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    sb.Append(c <= 0xFF ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}") : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"));
                    break;
            }
        }
        return sb.ToString();
    }

    // C0 and C1 controls, DEL, and Unicode format characters (bidirectional overrides, zero-width
    // joiners) that change how the rest of a line is displayed; a lone surrogate is not text either.
    private static bool NeedsEscape(string text, int i)
    {
        char c = text[i];
        if (c < ' ' || (c >= '\x7F' && c <= '\x9F')) return true;
        if (char.IsHighSurrogate(c)) return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        if (char.IsLowSurrogate(c)) return i == 0 || !char.IsHighSurrogate(text[i - 1]);
        return CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
    }
}
