using System.IO.Compression;
using System.Text;

namespace Nabla.Data.Text;

/// <summary>
/// Reads a table of text cells — CSV or TSV (by extension unless a delimiter is given, gzipped when
/// the name ends in <c>.gz</c>), UTF-8, with a header line naming the columns — for text data, where cells are
/// prose rather than numbers. Empty lines are skipped; every row must have the header's number of
/// cells. Cells are trimmed.
/// </summary>
/// <remarks>
/// TSV cells are split at every tab and taken literally (descriptions contain quotes). CSV cells
/// may be quoted as RFC 4180 says (<c>"a, b"</c>, <c>""</c> for a quote) within one line; a quoted
/// cell spanning lines is refused. Invalid UTF-8 is refused with the line and byte it is at, so a
/// file in another encoding never turns into silently garbled tokens.
/// </remarks>
public static class TextTable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The cell separator of <paramref name="path"/>: tab for <c>.tsv</c>/<c>.tab</c>, comma for <c>.csv</c> (before any <c>.gz</c>).</summary>
    /// <exception cref="DataSpecException">Another extension.</exception>
    public static char DelimiterOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        string ext = Path.GetExtension(name).ToLowerInvariant();
        return ext switch
        {
            ".tsv" or ".tab" => '\t',
            ".csv" => ',',
            _ => throw new DataSpecException($"{path}: text data must be a .csv or .tsv file (optionally .gz): the extension sets the delimiter, unless DataOptions.Delimiter gives one"),
        };
    }

    /// <summary>Reads <paramref name="path"/> as a header and rows of cells separated by <paramref name="delimiter"/> (null: <see cref="DelimiterOf"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataSpecException">No delimiter given and an extension that is neither CSV nor TSV.</exception>
    /// <exception cref="DataFormatException">Invalid UTF-8, bad gzip, no header or no rows, ragged rows, an unclosed quote; names file:line.</exception>
    public static LabeledCsv.Cells Read(string path, char? delimiter = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        char separator = delimiter ?? DelimiterOf(path);
        var lines = ReadLines(path);
        var rows = new List<string[]>();
        var numbers = new List<int>();
        string[]? header = null;
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var cells = Split(path, i + 1, lines[i], separator);
            if (header is null)
            {
                header = cells;
                continue;
            }
            if (cells.Length != header.Length)
                throw new DataFormatException($"{path}:{i + 1}: expected {header.Length} fields ({string.Join(", ", header)}), found {cells.Length}");
            rows.Add(cells);
            numbers.Add(i + 1);
        }
        if (header is null) throw new DataFormatException($"{path}: the file is empty (text data needs a header line naming the columns)");
        if (rows.Count == 0) throw new DataFormatException($"{path}: the file has a header but no data rows");
        return new LabeledCsv.Cells(header, rows, numbers, header.Length);
    }

    /// <summary>The cells of one line (trimmed).</summary>
    private static string[] Split(string path, int line, string text, char delimiter)
    {
        if (delimiter == '\t' || !text.Contains('"', StringComparison.Ordinal))
            return [.. text.Split(delimiter).Select(c => c.Trim())];
        var cells = new List<string>();
        var cell = new StringBuilder();
        int i = 0;
        while (true)
        {
            while (i < text.Length && text[i] == ' ') i++;
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw new DataFormatException($"{path}:{line}: a quoted cell is not closed on its line (cells spanning lines are not supported)");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            cell.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    cell.Append(text[i++]);
                }
                while (i < text.Length && text[i] != delimiter) cell.Append(text[i++]);
            }
            else
            {
                while (i < text.Length && text[i] != delimiter) cell.Append(text[i++]);
            }
            cells.Add(cell.ToString().Trim());
            cell.Clear();
            if (i >= text.Length) break;
            i++; // the delimiter
        }
        return [.. cells];
    }

    /// <summary>The lines of a UTF-8 file (gzip-decompressed for <c>.gz</c>), each decoded strictly.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">Invalid UTF-8 (names the line and column) or bad gzip.</exception>
    public static List<string> ReadLines(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            using Stream source = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var memory = new MemoryStream();
            source.CopyTo(memory);
            bytes = memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: not a valid gzip file ({e.Message})", e);
        }
        return Decode(path, bytes);
    }

    private static List<string> Decode(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        var lines = new List<string>();
        int number = 0;
        while (bytes.Length > 0 || number == 0)
        {
            number++;
            int nl = bytes.IndexOf((byte)'\n');
            var line = nl < 0 ? bytes : bytes[..nl];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            try
            {
                lines.Add(StrictUtf8.GetString(line));
            }
            catch (DecoderFallbackException e)
            {
                int column = e.Index >= 0 ? e.Index + 1 : 1;
                string bad = e.BytesUnknown is { Length: > 0 } b ? $" (byte 0x{b[0]:X2})" : "";
                throw new DataFormatException($"{path}:{number}:{column}: not valid UTF-8{bad}; text data must be UTF-8", e);
            }
            if (nl < 0) break;
            bytes = bytes[(nl + 1)..];
        }
        return lines;
    }
}
