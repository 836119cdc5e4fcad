using System.Globalization;
using System.IO.Compression;
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
/// Reads numeric CSV (gzipped when the name ends in <c>.gz</c>). Every row must have the same
/// number of finite numbers (invariant culture); empty lines are skipped. A header is detected
/// when the first line has a cell that is not a number. Errors name <c>file:line:column</c>.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads the table at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="delimiter">Cell separator (',' or '\t').</param>
    /// <param name="hasHeader">Whether the first line names the columns; null detects it.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A ragged row, a non-numeric cell or NaN/Infinity; names file:line:column.</exception>
    public static CsvTable Read(string path, char delimiter = ',', bool? hasHeader = null)
    {
        var lines = ReadLines(path);
        int start = 0;
        string[]? header = null;
        while (start < lines.Count && lines[start].Trim().Length == 0) start++;
        if (start == lines.Count) throw new DataFormatException($"{path}: the file has no rows");
        var first = lines[start].Split(delimiter);
        bool isHeader = hasHeader ?? first.Any(cell => !TryParse(cell, out _));
        if (isHeader)
        {
            header = [.. first.Select(h => h.Trim())];
            start++;
        }
        int columns = header?.Length ?? first.Length;
        var values = new List<float>();
        int rows = ParseRows(path, lines, start, delimiter, columns, values);
        return new CsvTable(path, [.. values], rows, columns, header);
    }

    /// <summary>Parses lines[start..] into <paramref name="values"/>; returns the row count.</summary>
    internal static int ParseRows(string path, List<string> lines, int start, char delimiter, int columns, List<float> values)
    {
        int rows = 0;
        for (int i = start; i < lines.Count; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0) continue;
            var cells = line.Split(delimiter);
            if (cells.Length != columns)
                throw new DataFormatException($"{path}:{i + 1}:{Math.Min(cells.Length, columns) + 1}: expected {columns} fields, found {cells.Length}");
            for (int j = 0; j < cells.Length; j++)
            {
                if (!TryParse(cells[j], out float v))
                    throw new DataFormatException($"{path}:{i + 1}:{j + 1}: '{cells[j].Trim()}' is not a number");
                if (!float.IsFinite(v))
                    throw new DataFormatException($"{path}:{i + 1}:{j + 1}: '{cells[j].Trim()}' is not a finite number");
                values.Add(v);
            }
            rows++;
        }
        return rows;
    }

    internal static bool TryParse(string cell, out float value) =>
        float.TryParse(cell.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>All lines of a text file, decompressing <c>.gz</c>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A <c>.gz</c> file that is not valid gzip.</exception>
    internal static List<string> ReadLines(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        using var file = File.OpenRead(path);
        try
        {
            return ReadLines(file, path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: not a valid gzip file ({e.Message})", e);
        }
    }

    /// <summary>All lines of a text stream (gzip-decompressed when <paramref name="gzipped"/>).</summary>
    internal static List<string> ReadLines(Stream source, bool gzipped)
    {
        using Stream stream = gzipped ? new GZipStream(source, CompressionMode.Decompress, leaveOpen: true) : source;
        using var reader = new StreamReader(stream, leaveOpen: true);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }
}
