using System.Globalization;
using System.Text;

namespace Nabla.Data;

/// <summary>One record of a delimited text file: its cells and the 1-based line it starts on.</summary>
/// <param name="Cells">The fields, unquoted; unquoted fields are trimmed of surrounding white space.</param>
/// <param name="Line">The line the record starts on (a quoted field may span several lines).</param>
internal readonly record struct CsvRecord(string[] Cells, int Line);

/// <summary>
/// Reads records of delimited text (CSV, TSV) as RFC 4180 defines them: fields separated by the
/// delimiter, records by CRLF, LF or CR; a field in double quotes may hold delimiters, line breaks
/// and doubled quotes (<c>"say ""hi"""</c> reads <c>say "hi"</c>). Leniencies, as Python's csv
/// module: a quote inside an unquoted field is an ordinary character, and white space around a
/// field (and around a quoted field's quotes) is dropped. Empty lines are skipped.
/// Refused, with <c>file:line:column</c>: text after a closing quote, a quote never closed, a NUL
/// character (binary data), and a record longer than the limit (a 3 GB file without line breaks
/// must not take all memory before it is found to be no table).
/// </summary>
internal sealed class CsvRecordReader
{
    /// <summary>The longest record read by default, in characters (8 Mi: 100,000 columns of 80 characters).</summary>
    public const int DefaultMaxRecordLength = 8 << 20;

    private readonly TextReader _reader;
    private readonly string _name;
    private readonly char _delimiter;
    private readonly int _maxRecordLength;
    private readonly char[] _buffer = new char[1 << 14];
    private readonly StringBuilder _field = new();
    private readonly List<string> _cells = [];
    private int _length, _position;
    private int _line = 1;

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="name"/> (the file) starts every message.</summary>
    public CsvRecordReader(TextReader reader, string name, char delimiter, int maxRecordLength = DefaultMaxRecordLength)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (delimiter is '"' or '\r' or '\n' or '\0')
            throw new ArgumentException($"'{Printable.Escape(delimiter.ToString())}' cannot separate fields", nameof(delimiter));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordLength, 1);
        _reader = reader;
        _name = name;
        _delimiter = delimiter;
        _maxRecordLength = maxRecordLength;
    }

    /// <summary>All records of <paramref name="reader"/>.</summary>
    public static List<CsvRecord> ReadAll(TextReader reader, string name, char delimiter, int maxRecordLength = DefaultMaxRecordLength)
    {
        var r = new CsvRecordReader(reader, name, delimiter, maxRecordLength);
        var records = new List<CsvRecord>();
        while (r.Next() is { } record) records.Add(record);
        return records;
    }

    /// <summary>The next non-empty record, or null at the end.</summary>
    /// <exception cref="DataFormatException">Malformed quoting, binary data, or a record over the length limit.</exception>
    public CsvRecord? Next()
    {
        while (true)
        {
            int start = _line;
            if (!ReadRecord(out bool blank)) return null;
            if (blank) continue;
            return new CsvRecord([.. _cells], start);
        }
    }

    // Reads one record into _cells; false at the end of input. `blank`: the record was an empty line.
    private bool ReadRecord(out bool blank)
    {
        _cells.Clear();
        _field.Clear();
        blank = false;
        int c = Peek();
        if (c < 0) return false;
        int recordStart = _line, recordLength = 0, column = 1;
        bool quoted = false, afterQuote = false, anyQuote = false;
        int quoteLine = 0, quoteColumn = 0;
        while (true)
        {
            c = Take();
            if (c >= 0 && ++recordLength > _maxRecordLength)
                throw Error(recordStart, column, string.Create(CultureInfo.InvariantCulture,
                    $"the record is longer than {_maxRecordLength:N0} characters, the most one CSV line may hold (is this a text table?)"));
            if (c == 0) throw Error(_line, column, "a NUL character: this is binary data, not a text table");
            if (quoted)
            {
                if (c < 0) throw Error(quoteLine, quoteColumn, "a quoted field starts here and is never closed (a \" is missing)");
                if (c == '"')
                {
                    if (Peek() == '"')
                    {
                        Take();
                        recordLength++;
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    if (c == '\n' || (c == '\r' && Peek() != '\n')) _line++;
                    _field.Append((char)c);
                }
                continue;
            }
            bool end = c < 0 || c == '\n' || c == '\r';
            if (end || c == _delimiter)
            {
                string cell = afterQuote ? _field.ToString() : _field.ToString().Trim();
                _cells.Add(cell);
                _field.Clear();
                afterQuote = false;
                column++;
                if (!end) continue;
                if (c == '\r' && Peek() == '\n') Take();
                if (c >= 0) _line++;
                blank = _cells.Count == 1 && _cells[0].Length == 0 && !anyQuote;
                return true;
            }
            if (afterQuote)
            {
                if (char.IsWhiteSpace((char)c)) continue;
                throw Error(_line, column, $"{Printable.Quote(((char)c).ToString())} after the closing quote of a quoted field (a quote inside a quoted field is written \"\")");
            }
            if (c == '"' && _field.ToString().Trim().Length == 0)
            {
                _field.Clear();
                quoted = anyQuote = true;
                quoteLine = _line;
                quoteColumn = column;
                continue;
            }
            _field.Append((char)c);
        }
    }

    private DataFormatException Error(int line, int column, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{_name}:{line}:{column}: {what}"));

    private int Peek()
    {
        if (_position == _length && !Fill()) return -1;
        return _buffer[_position];
    }

    private int Take()
    {
        if (_position == _length && !Fill()) return -1;
        return _buffer[_position++];
    }

    private bool Fill()
    {
        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
