using Nabla.Tensors;

namespace Nabla.Data.Text;

/// <summary>
/// Reads text data with labels (the <c>text:PATH</c> data SPEC): a CSV or TSV file (see
/// <see cref="TextTable"/>) whose <see cref="DataOptions.TextColumn"/> holds the texts and whose
/// label column(s) are read as for <c>csv:</c> data (<see cref="DataOptions.Label"/>, default the
/// last other column; <see cref="DataOptions.LabelSeparator"/> for several labels in one cell).
/// The rows are split into train and test parts with the seed (plain random, see <see cref="Split"/>),
/// and encoded by <see cref="DataOptions.Vectorizer"/>, which is adapted on the training part
/// first when it has no vocabulary yet.
/// </summary>
/// <remarks>
/// A row whose text cell is empty is left out, in both parts, and counted in
/// <see cref="LoadedData.Warnings"/> (with the first lines): it has nothing to learn from. A text
/// made only of punctuation or of words outside the vocabulary is kept; it pools to zeros and still
/// gets a prediction.
/// </remarks>
public static class LabeledText
{
    /// <summary>Loads <paramref name="path"/> and splits it into encoded train and test parts.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataSpecException">No text column given, a text or label column that does not exist (names those that do), or an impossible task.</exception>
    /// <exception cref="DataFormatException">Invalid UTF-8, ragged rows, bad labels, no non-empty text; names file:line.</exception>
    public static LoadedData Load(string path, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = TextTable.Read(path, options.Delimiter);
        var header = table.Header!;
        int textColumn = TextColumnIndex(path, header, options.TextColumn);
        int[] labelColumns = string.IsNullOrWhiteSpace(options.Label)
            ? [Enumerable.Range(0, table.Columns).Last(c => c != textColumn || table.Columns == 1)]
            : LabeledCsv.ResolveLabels(path, header, table.Columns, options.Label);
        if (labelColumns.Contains(textColumn))
            throw new DataSpecException($"{path}: column '{header[textColumn]}' cannot be both the text (DataOptions.TextColumn) and a label (DataOptions.Label)");

        var kept = new List<string[]>();
        var lines = new List<int>();
        var empty = new List<int>();
        for (int r = 0; r < table.Rows.Count; r++)
        {
            if (table.Rows[r][textColumn].Length == 0) empty.Add(table.Lines[r]);
            else
            {
                kept.Add(table.Rows[r]);
                lines.Add(table.Lines[r]);
            }
        }
        if (kept.Count < 2)
            throw new DataFormatException($"{path}: {kept.Count} row(s) with text in column '{header[textColumn]}'; at least 2 are needed to train and test");
        var cells = new LabeledCsv.Cells(header, kept, lines, table.Columns);
        string[] labelNames = [.. labelColumns.Select(c => header[c])];
        var (y, task, classes, outputs) = LabeledCsv.Targets(path, cells, labelColumns, labelNames, options);
        string[] texts = [.. kept.Select(row => row[textColumn])];

        var (train, test) = Split(texts.Length, options);
        var vectorizer = options.Vectorizer ?? new TextVectorization();
        if (!vectorizer.IsAdapted) vectorizer.Adapt(train.Select(i => texts[i]));
        TextDataset Part(int[] rows)
        {
            using (TensorScope.Suspend())
                return TextDataset.FromTexts(vectorizer, [.. rows.Select(i => texts[i])], Dataset.GatherRows(y, rows));
        }
        var trainPart = Part(train);
        int width = vectorizer.OutputSequenceLength ?? Math.Max(1, Enumerable.Range(0, trainPart.Count).Max(i => trainPart.Row(i).Length));
        string[] warnings = empty.Count == 0 ? [] :
            [$"{path}: skipped {empty.Count} row(s) whose text cell '{header[textColumn]}' is empty (line{(empty.Count > 1 ? "s" : "")} {string.Join(", ", empty.Take(5))}{(empty.Count > 5 ? ", …" : "")})"];
        return new LoadedData("text:" + path, trainPart, Part(test), [width], task, classes, IsImage: false, labelNames)
        {
            Outputs = outputs, Vectorizer = vectorizer, TextColumn = header[textColumn], Warnings = warnings,
        };
    }

    /// <summary>
    /// The rows (0-based, among the rows with text) of the train and test parts: a seeded random split
    /// that depends only on the number of rows and <see cref="DataOptions.Seed"/>,
    /// <see cref="DataOptions.TestFraction"/> and <see cref="DataOptions.Limit"/> — not on the labels,
    /// so texts can be drawn from the training part alone (e.g. to pre-train word vectors) without
    /// knowing them.
    /// </summary>
    public static (int[] Train, int[] Test) Split(int rows, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (train, test) = Splits.TrainTestIndices(rows, options.TestFraction, new Rng(options.Seed));
        if (options.Limit is int n)
        {
            train = train[..Math.Min(n, train.Length)];
            test = test[..Math.Min(DataSpec.TestLimit(n)!.Value, test.Length)];
        }
        if (train.Length == 0 || test.Length == 0) (train, test) = ([.. Enumerable.Range(0, rows)], [.. Enumerable.Range(0, rows)]);
        return (train, test);
    }

    /// <summary>
    /// The non-empty texts of column <paramref name="column"/> of <paramref name="path"/> in file order
    /// (the rows <see cref="Load"/> keeps, numbered as <see cref="Split"/> numbers them).
    /// </summary>
    /// <exception cref="DataSpecException">The column does not exist (names those that do).</exception>
    public static string[] ReadTexts(string path, string column) => Texts(TextTable.Read(path), path, column);

    /// <summary>The non-empty texts of column <paramref name="column"/> of a table read by <see cref="TextTable.Read"/> from <paramref name="path"/>.</summary>
    /// <exception cref="DataSpecException">The column does not exist (names those that do).</exception>
    public static string[] Texts(LabeledCsv.Cells table, string path, string column)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        int c = TextColumnIndex(path, table.Header ?? [], column);
        return [.. table.Rows.Select(r => r[c]).Where(t => t.Length > 0)];
    }

    private static int TextColumnIndex(string path, string[] header, string? column)
    {
        if (string.IsNullOrWhiteSpace(column))
            throw new DataSpecException($"{path}: name the column holding the texts (DataOptions.TextColumn); the columns are {string.Join(", ", header)}");
        int index = Array.IndexOf(header, column.Trim());
        return index >= 0 ? index
            : throw new DataSpecException($"{path}: text column '{column}' does not exist (columns: {string.Join(", ", header)}){Hint(column, header)}");
    }

    private static string Hint(string name, string[] header)
    {
        var close = header.FirstOrDefault(h => string.Equals(h, name.Trim(), StringComparison.OrdinalIgnoreCase));
        return close is null ? "" : $"; did you mean '{close}'?";
    }
}
