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
    public static LabeledData Load(string path) => Parse(path, CsvReader.ReadLines(path));

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
        return Parse(name, CsvReader.ReadLines(stream, resource.EndsWith(".gz", StringComparison.Ordinal)));
    }

    private static LabeledData Parse(string path, List<string> lines)
    {
        if (lines.Count == 0) throw new DataFormatException($"{path}: the file is empty");
        var first = lines[0].Split(',');
        bool described = first.Length >= 2
            && int.TryParse(first[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && int.TryParse(first[1], NumberStyles.None, CultureInfo.InvariantCulture, out int features)
            && first.Skip(2).Any(c => !CsvReader.TryParse(c, out _));
        var values = new List<float>();
        if (described)
        {
            count = int.Parse(first[0], CultureInfo.InvariantCulture);
            features = int.Parse(first[1], CultureInfo.InvariantCulture);
            string[] names = [.. first.Skip(2).Select(n => n.Trim())];
            int rows = CsvReader.ParseRows(path, lines, 1, ',', features + 1, values);
            if (rows != count) throw new DataFormatException($"{path}:1:1: the header announces {count} rows, the file has {rows}");
            var table = new CsvTable(path, [.. values], rows, features + 1, null);
            var (x, y) = table.SplitLabel();
            var labels = y.AsSpan();
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] != (int)labels[i] || labels[i] < 0 || labels[i] >= names.Length)
                    throw new DataFormatException($"{path}:{i + 2}:{features + 1}: label {labels[i]} is not one of the {names.Length} classes");
            return new LabeledData(x, y, names);
        }
        int columns = first.Length;
        int plainRows = CsvReader.ParseRows(path, lines, 0, ',', columns, values);
        var (px, py) = new CsvTable(path, [.. values], plainRows, columns, null).SplitLabel();
        string[] classes = [.. py.ToArray().Distinct().Order().Select(v => v.ToString(CultureInfo.InvariantCulture))];
        return new LabeledData(px, py, classes);
    }
}
