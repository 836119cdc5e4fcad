using System.Globalization;
using System.Text;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>A numeric table read from CSV: values row-major and the header, if there was one.</summary>
public sealed class CsvTable
{
    internal CsvTable(string path, float[] values, int rows, int columns, string[]? header)
    {
        Path = path;
        Values = values;
        Rows = rows;
        Columns = columns;
        Header = header;
    }

    /// <summary>The file it came from.</summary>
    public string Path { get; }

    /// <summary>The cells, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Number of data rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>The column names, or null when the file had no header.</summary>
    public string[]? Header { get; }

    /// <summary>The whole table as a tensor <c>[Rows, Columns]</c>.</summary>
    public Tensor ToTensor() => Tensor.FromArray((float[])Values.Clone(), Rows, Columns);

    /// <summary>Features <c>[Rows, Columns−1]</c> and targets <c>[Rows]</c> from column <paramref name="labelColumn"/> (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column does not exist.</exception>
    public (Tensor Features, Tensor Labels) SplitLabel(int labelColumn = -1)
    {
        int c = labelColumn < 0 ? labelColumn + Columns : labelColumn;
        if ((uint)c >= (uint)Columns || Columns < 2)
            throw new ArgumentOutOfRangeException(nameof(labelColumn), $"{Path}: label column {labelColumn} does not exist in {Columns} columns");
        var x = new float[Rows * (Columns - 1)];
        var y = new float[Rows];
        for (int r = 0; r < Rows; r++)
        {
            int k = 0;
            for (int j = 0; j < Columns; j++)
            {
                float v = Values[r * Columns + j];
                if (j == c) y[r] = v;
                else x[r * (Columns - 1) + k++] = v;
            }
        }
        return (Tensor.FromArray(x, Rows, Columns - 1), Tensor.FromArray(y, Rows));
    }
}

/// <summary>
/// Reads numeric CSV or TSV (gzipped when the name ends in <c>.gz</c>; RFC 4180 quoting, see
/// <see cref="DefaultDelimiter"/> for the separator). Every row must have the same number of
/// finite numbers (invariant culture); empty lines are skipped. A header is detected when the
/// first line has a cell that is not a number. Errors name <c>file:line:column</c>.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads the table at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="delimiter">Cell separator (',' or '\t'); null picks it from the name (<see cref="DefaultDelimiter"/>).</param>
    /// <param name="hasHeader">Whether the first line names the columns; null detects it.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A ragged row, a non-numeric cell or NaN/Infinity, bad quoting; names file:line:column.</exception>
    public static CsvTable Read(string path, char? delimiter = null, bool? hasHeader = null)
    {
        var records = ReadRecords(path, delimiter ?? DefaultDelimiter(path));
        if (records.Count == 0) throw new DataFormatException($"{path}: the file has no rows");
        var first = records[0].Cells;
        bool isHeader = hasHeader ?? first.Any(cell => !TryParse(cell, out _));
        string[]? header = isHeader ? first : null;
        int columns = first.Length;
        var values = new List<float>();
        int rows = ParseRows(path, records, isHeader ? 1 : 0, columns, values);
        return new CsvTable(path, [.. values], rows, columns, header);
    }

    /// <summary>The separator a file's name implies: a tab for <c>.tsv</c> and <c>.tab</c> (also gzipped), else a comma.</summary>
    public static char DefaultDelimiter(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = DataFile.IsGzipName(path) ? path[..^3] : path;
        return name.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tab", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
    }

    /// <summary>Parses records[start..] into <paramref name="values"/>; returns the row count.</summary>
    internal static int ParseRows(string path, List<CsvRecord> records, int start, int columns, List<float> values)
    {
        int rows = 0;
        for (int i = start; i < records.Count; i++)
        {
            var (cells, line) = records[i];
            if (cells.Length != columns)
                throw new DataFormatException($"{path}:{line}:{Math.Min(cells.Length, columns) + 1}: expected {columns} fields, found {cells.Length}");
            if ((long)values.Count + columns > Array.MaxLength)
                throw new DataFormatException($"{path}:{line}: more values than one table can hold ({Array.MaxLength:N0})");
            for (int j = 0; j < cells.Length; j++)
            {
                if (!TryParse(cells[j], out float v))
                    throw new DataFormatException($"{path}:{line}:{j + 1}: {Printable.Quote(cells[j])} is not a number");
                if (!float.IsFinite(v))
                    throw new DataFormatException($"{path}:{line}:{j + 1}: {Printable.Quote(cells[j])} is not a finite number");
                values.Add(v);
            }
            rows++;
        }
        return rows;
    }

    internal static bool TryParse(string cell, out float value) =>
        float.TryParse(cell.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>All records of a delimited text file (decompressing <c>.gz</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">Not valid gzip, truncated, bad quoting, binary data, a record over <paramref name="maxRecordLength"/> characters.</exception>
    internal static List<CsvRecord> ReadRecords(string path, char delimiter, int maxRecordLength = CsvRecordReader.DefaultMaxRecordLength)
    {
        using var stream = DataFile.OpenRead(path);
        return ReadRecords(stream, path, delimiter, maxRecordLength);
    }

    /// <summary>All records of a text stream (already decompressed); <paramref name="name"/> starts every message.</summary>
    internal static List<CsvRecord> ReadRecords(Stream stream, string name, char delimiter, int maxRecordLength = CsvRecordReader.DefaultMaxRecordLength)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return CsvRecordReader.ReadAll(reader, name, delimiter, maxRecordLength);
    }
}
