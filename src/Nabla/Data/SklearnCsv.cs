using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>A classification data set: features <c>[N, F]</c>, class indices <c>[N]</c> and the class names.</summary>
/// <param name="Features">The inputs.</param>
/// <param name="Labels">Class indices as floats.</param>
/// <param name="ClassNames">Name of each class index.</param>
public sealed record LabeledData(Tensor Features, Tensor Labels, string[] ClassNames);

/// <summary>
/// Loads scikit-learn's bundled CSVs. Their first line is <c>count,features,name0,name1,…</c>
/// (iris, wine, breast cancer), then one row per sample with the features and the class index
/// last. Files without that line (digits: 64 features then the label) are read as plain numeric
/// rows with the label last; their class names are the label values.
/// </summary>
public static class SklearnCsv
{
    /// <summary>Reads <paramref name="path"/> (gzipped when it ends in <c>.gz</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">Bad rows, a row count different from the header's, or a label outside the class names.</exception>
    public static LabeledData Load(string path) => Parse(path, CsvReader.ReadRecords(path, ','));

    /// <summary>
    /// Loads a data set embedded in the library: <c>digits</c> (1,797 8×8 images, 10 classes) or
    /// <c>iris</c> (150 flowers, 4 features, 3 classes); see Data/Embedded/LICENSES.md.
    /// </summary>
    /// <exception cref="ArgumentException">No embedded data set has that name.</exception>
    public static LabeledData LoadEmbedded(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string resource = name switch
        {
            "digits" => "Nabla.Data.digits.csv.gz",
            "iris" => "Nabla.Data.iris.csv",
            _ => throw new ArgumentException($"no embedded data set '{name}' (known: digits, iris)", nameof(name)),
        };
        using var stream = typeof(SklearnCsv).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the library is missing its embedded resource {resource}");
        using Stream text = DataFile.IsGzipName(resource) ? new CheckedGzipStream(stream, resource, leaveOpen: true) : stream;
        return Parse(name, CsvReader.ReadRecords(text, name, ','));
    }

    /// <summary>
    /// The description of a first line in scikit-learn's format, <c>rows, features, name…</c>, or null:
    /// two whole numbers then at least one cell that is not a number.
    /// </summary>
    internal static (int Rows, int Features, string[] Names)? Header(string[] first)
    {
        if (first.Length < 3
            || !int.TryParse(first[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || !int.TryParse(first[1], NumberStyles.None, CultureInfo.InvariantCulture, out int features)
            || first.Skip(2).All(c => CsvReader.TryParse(c, out _)))
            return null;
        return (count, features, first[2..]);
    }

    private static LabeledData Parse(string path, List<CsvRecord> records)
    {
        if (records.Count == 0) throw new DataFormatException($"{path}: the file is empty");
        var values = new List<float>();
        if (Header(records[0].Cells) is var (count, features, names))
        {
            if (features < 1) throw new DataFormatException($"{path}:1:2: the header announces {features} features");
            var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new DataFormatException($"{path}:1: the class name {Printable.Quote(duplicate.Key)} appears twice");
            int rows = CsvReader.ParseRows(path, records, 1, features + 1, values);
            if (rows != count) throw new DataFormatException($"{path}:1:1: the header announces {count} rows, the file has {rows}");
            var table = new CsvTable(path, [.. values], rows, features + 1, null);
            var (x, y) = table.SplitLabel();
            var labels = y.AsSpan();
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] != (int)labels[i] || labels[i] < 0 || labels[i] >= names.Length)
                    throw new DataFormatException($"{path}:{records[i + 1].Line}:{features + 1}: label {labels[i].ToString(CultureInfo.InvariantCulture)} is not one of the {names.Length} classes 0..{names.Length - 1}");
            return new LabeledData(x, y, names);
        }
        int columns = records[0].Cells.Length;
        if (columns < 2) throw new DataFormatException($"{path}:1: one column; the features and a label need at least 2");
        int plainRows = CsvReader.ParseRows(path, records, 0, columns, values);
        var (px, py) = new CsvTable(path, [.. values], plainRows, columns, null).SplitLabel();
        // Labels are values here (digits: 0–9); classes are the distinct values in order, and y their indices.
        float[] distinct = [.. py.ToArray().Distinct().Order()];
        var indices = py.AsSpan();
        for (int i = 0; i < indices.Length; i++) indices[i] = Array.BinarySearch(distinct, indices[i]);
        return new LabeledData(px, py, [.. distinct.Select(v => v.ToString(CultureInfo.InvariantCulture))]);
    }
}
