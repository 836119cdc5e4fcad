using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Reads a CSV of numeric features and one or more label columns (the <c>csv:PATH</c> data SPEC).
/// A header is detected when some cell of the first line is not a number while the same column
/// of the second line is (or no cell of the first line is a number). The label is the last column
/// unless <see cref="DataOptions.Label"/> names one (by header name or 0-based index) or several
/// (comma-separated: multi-label 0/1 columns); with <see cref="DataOptions.LabelSeparator"/> one
/// column holds several labels (multi-label). Task inference for one label column: non-numeric
/// labels are classes in sorted order; whole-number labels with at most
/// <see cref="MaxInferredClasses"/> distinct values are classes too; anything else is regression.
/// Two classes make a binary task.
/// </summary>
public static class LabeledCsv
{
    /// <summary>Whole-number label columns with more distinct values than this are treated as regression.</summary>
    public const int MaxInferredClasses = 20;

    /// <summary>Loads <paramref name="path"/> and splits it into train and test parts (stratified for classification).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">An empty file, ragged rows, non-numeric or non-finite features, bad labels; names file:line:column.</exception>
    /// <exception cref="DataSpecException">An unknown label column or an impossible task.</exception>
    public static LoadedData Load(string path, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = ReadCells(path, options.Delimiter ?? CsvReader.DefaultDelimiter(path));
        var labelCols = ResolveLabels(path, table.Header, table.Columns, options.Label);
        var featureCols = Enumerable.Range(0, table.Columns).Where(c => !labelCols.Contains(c)).ToArray();
        if (featureCols.Length == 0) throw new DataFormatException($"{path}: no feature columns left besides the label");
        var x = Features(path, table, featureCols);
        string[] labelNames = [.. labelCols.Select(c => table.Header?[c] ?? c.ToString(CultureInfo.InvariantCulture))];
        var (y, task, classes, outputs) = Targets(path, table, labelCols, labelNames, options);
        var all = new Dataset(x, y);
        Dataset train, test;
        if (all.Count < 2) throw new DataFormatException($"{path}: {all.Count} data row(s); at least 2 are needed to train and test");
        var stratify = task is TaskKind.MultiClass or TaskKind.Binary ? y : null;
        var rng = new Rng(options.Seed);
        (train, test) = Splits.TrainTestSplit(all, options.TestFraction, rng, stratify);
        // Too few rows used to make the test set the training set, which reports training figures as test figures.
        if (test.Count == 0 || train.Count == 0)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {all.Count} data rows are too few to hold out a test fraction of {options.TestFraction} (DataOptions.TestFraction): the split leaves {train.Count} training and {test.Count} test rows"));
        return new LoadedData("csv:" + path, DataSpec.Limit(train, options.Limit), DataSpec.LimitTest(test, options.Limit),
            [featureCols.Length], task, classes, IsImage: false, labelNames)
        { Outputs = outputs };
    }

    /// <summary>A CSV as text cells: the header (or null) and rows of equal length.</summary>
    /// <param name="Header">Column names, or null.</param>
    /// <param name="Rows">Data rows' cells.</param>
    /// <param name="Lines">1-based line number of each row (for messages).</param>
    /// <param name="Columns">Cells per row.</param>
    public sealed record Cells(string[]? Header, IReadOnlyList<string[]> Rows, IReadOnlyList<int> Lines, int Columns);

    /// <summary>Reads the cells of <paramref name="path"/>, detecting a header and rejecting empty files, ragged rows and repeated column names.</summary>
    /// <param name="path">The file (gzipped when it ends in <c>.gz</c>).</param>
    /// <param name="delimiter">The field separator.</param>
    /// <exception cref="DataFormatException">Empty file, ragged rows, repeated header names, scikit-learn's header; names file:line:column.</exception>
    public static Cells ReadCells(string path, char delimiter = ',')
    {
        var records = CsvReader.ReadRecords(path, delimiter);
        if (records.Count == 0) throw new DataFormatException($"{path}: the file is empty");
        var first = records[0].Cells;
        if (SklearnCsv.Header(first) is var (count, features, names) && records.Count > 1 && records.Count == count + 1L && records[1].Cells.Length == features + 1L)
            throw new DataFormatException($"{path}:1: the first line {Printable.Quote(string.Join(delimiter, first))} is scikit-learn's header ({count} rows, {features} features, classes {Printable.Escape(string.Join(", ", names))}), not column names: load the file with the data SPEC sklearn:{path}");
        bool header = first.All(c => !CsvReader.TryParse(c, out _))
            || (records.Count > 1 && records[1].Cells.Length == first.Length
                && Enumerable.Range(0, first.Length).Any(j => !CsvReader.TryParse(first[j], out _) && CsvReader.TryParse(records[1].Cells[j], out _)));
        var data = header ? records.Skip(1).ToList() : records;
        if (data.Count == 0) throw new DataFormatException($"{path}: the file has a header but no data rows");
        int columns = first.Length;
        if (header)
            for (int j = 0; j < columns; j++)
            {
                int other = Array.FindIndex(first, j + 1, h => string.Equals(h, first[j], StringComparison.Ordinal));
                if (other > 0)
                    throw new DataFormatException($"{path}:{records[0].Line}:{other + 1}: the column name {Printable.Quote(first[j])} is used by columns {j + 1} and {other + 1}; names must be unique");
            }
        foreach (var (cells, line) in data)
            if (cells.Length != columns)
                throw new DataFormatException($"{path}:{line}:{Math.Min(cells.Length, columns) + 1}: expected {columns} fields, found {cells.Length}");
        return new Cells(header ? first : null, [.. data.Select(r => r.Cells)], [.. data.Select(r => r.Line)], columns);
    }

    /// <summary>The 0-based columns named by <paramref name="label"/> (names or indices, comma-separated; null = last).</summary>
    /// <exception cref="DataSpecException">A column that does not exist; lists the header.</exception>
    public static int[] ResolveLabels(string path, string[]? header, int columns, string? label)
    {
        if (string.IsNullOrWhiteSpace(label)) return [columns - 1];
        var result = new List<int>();
        foreach (var part in label.Split(',').Select(p => p.Trim()))
        {
            int index = header is null ? -1 : Array.FindIndex(header, h => string.Equals(h, part, StringComparison.Ordinal));
            if (index < 0 && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < columns) index = i;
            if (index < 0)
                throw new DataSpecException(header is null
                    ? $"{path}: label column {Printable.Quote(part)} does not exist (the file has no header; use an index 0..{columns - 1})"
                    : $"{path}: label column {Printable.Quote(part)} does not exist (columns: {Printable.Escape(string.Join(", ", header))})");
            if (!result.Contains(index)) result.Add(index);
        }
        return [.. result];
    }

    /// <summary>Parses the feature columns into [rows, features], rejecting non-numeric and non-finite cells.</summary>
    /// <exception cref="DataFormatException">Names file:line:column and the cell.</exception>
    public static Tensor Features(string path, Cells table, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(columns);
        var x = new float[table.Rows.Count * columns.Count];
        for (int r = 0; r < table.Rows.Count; r++)
            for (int k = 0; k < columns.Count; k++)
            {
                string cell = table.Rows[r][columns[k]];
                if (!CsvReader.TryParse(cell, out float v))
                    throw new DataFormatException($"{path}:{table.Lines[r]}:{columns[k] + 1}: {Printable.Quote(cell)} is not a number");
                if (!float.IsFinite(v))
                    throw new DataFormatException($"{path}:{table.Lines[r]}:{columns[k] + 1}: {Printable.Quote(cell)} is not a finite number (NaN and infinity are not allowed)");
                x[r * columns.Count + k] = v;
            }
        return Tensor.FromArray(x, table.Rows.Count, columns.Count);
    }

    internal static (Tensor Y, TaskKind Task, string[] Classes, int Outputs) Targets(string path, Cells table, int[] labelCols, string[] labelNames, DataOptions options)
    {
        int n = table.Rows.Count;
        if (options.LabelSeparator is { Length: > 0 } sep)
        {
            if (labelCols.Length != 1)
                throw new DataSpecException($"{path}: a label separator (DataOptions.LabelSeparator) needs exactly one label column (DataOptions.Label), got {labelCols.Length}: {Printable.Escape(string.Join(", ", labelNames))}");
            var sets = table.Rows.Select(r => r[labelCols[0]].Split(sep, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            for (int r = 0; r < n; r++) foreach (var l in sets[r]) CheckLabel(path, table, r, labelCols[0], l);
            string[] names = options.KnownClasses is { } known ? [.. known] : [.. sets.SelectMany(s => s).Distinct().Order(StringComparer.Ordinal)];
            var y = new float[n * names.Length];
            for (int r = 0; r < n; r++)
                foreach (var l in sets[r])
                {
                    int j = Array.IndexOf(names, l);
                    if (j < 0) throw new DataFormatException($"{path}:{table.Lines[r]}:{labelCols[0] + 1}: unknown label {Printable.Quote(l)} (DataOptions.KnownClasses are {Printable.Escape(string.Join(", ", names))})");
                    y[r * names.Length + j] = 1f;
                }
            return (Tensor.FromArray(y, n, names.Length), TaskKind.MultiLabel, names, names.Length);
        }
        if (labelCols.Length > 1)
        {
            var values = Features(path, table, labelCols);
            bool binary = values.ToArray().All(v => v is 0f or 1f);
            var task = options.Task ?? (binary ? TaskKind.MultiLabel : TaskKind.Regression);
            if (task is TaskKind.MultiClass or TaskKind.Binary)
                throw new DataSpecException($"{path}: {labelCols.Length} label columns make a multilabel or regression task, not {task.ToName()} (DataOptions.Task)");
            if (task == TaskKind.MultiLabel && !binary)
                throw new DataFormatException($"{path}: multi-label columns {Printable.Escape(string.Join(", ", labelNames))} must hold only 0 and 1{StrayCell(path, table, labelCols, labelNames, 0f) ?? ""}");
            if (options.Task is null && StrayCell(path, table, labelCols, labelNames, 0.9) is { } stray)
                throw new DataFormatException($"{path}: multi-label columns hold only 0 and 1{stray}; give the task regression (DataOptions.Task) if these are numeric targets");
            return (values, task, task == TaskKind.MultiLabel ? labelNames : [], labelCols.Length);
        }
        int c = labelCols[0];
        var cells = table.Rows.Select(r => r[c]).ToArray();
        for (int r = 0; r < n; r++)
        {
            if (cells[r].Length == 0)
                throw new DataFormatException($"{path}:{table.Lines[r]}:{c + 1}: the label is empty (a missing label?); give every row a label or remove it, or give a label separator (DataOptions.LabelSeparator) if an empty cell means no labels");
            if (CsvReader.TryParse(cells[r], out float f) && !float.IsFinite(f))
                throw new DataFormatException($"{path}:{table.Lines[r]}:{c + 1}: the label {Printable.Quote(cells[r])} is not a value (a missing label?); give every row a label or remove it");
            CheckLabel(path, table, r, c, cells[r]);
        }
        bool numeric = cells.All(s => CsvReader.TryParse(s, out _));
        if (options.Task == TaskKind.Regression || (options.Task is null && options.KnownClasses is null && numeric && !LooksCategorical(cells)))
        {
            if (!numeric)
            {
                int bad = Array.FindIndex(cells, s => !CsvReader.TryParse(s, out _));
                throw new DataFormatException($"{path}:{table.Lines[bad]}:{c + 1}: regression target {Printable.Quote(cells[bad])} is not a number");
            }
            return (Features(path, table, [c]), TaskKind.Regression, [], 1);
        }
        string[] classes = options.KnownClasses is { } k ? [.. k] : SortedClasses(cells, numeric);
        if (classes.Length < 2)
            throw new DataFormatException($"{path}: every row has the label {Printable.Quote(cells[0])} in column {Printable.Quote(labelNames[0])}: a classifier needs at least 2 classes");
        var idx = new float[n];
        for (int r = 0; r < n; r++)
        {
            int j = IndexOfClass(classes, cells[r], numeric);
            if (j < 0) throw new DataFormatException($"{path}:{table.Lines[r]}:{c + 1}: unknown label {Printable.Quote(cells[r])} (DataOptions.KnownClasses are {Printable.Escape(string.Join(", ", classes))})");
            idx[r] = j;
        }
        var kind = options.Task ?? (classes.Length == 2 ? TaskKind.Binary : TaskKind.MultiClass);
        if (kind == TaskKind.MultiLabel)
            throw new DataSpecException($"{path}: a multilabel task (DataOptions.Task) with one label column needs a label separator (DataOptions.LabelSeparator)");
        if (kind == TaskKind.Binary)
        {
            if (classes.Length > 2) throw new DataSpecException($"{path}: a binary task (DataOptions.Task) needs 2 classes, the label column has {classes.Length}");
            return (Tensor.FromArray(idx, n, 1), kind, classes, 1);
        }
        return (Tensor.FromArray(idx, n), kind, classes, classes.Length);
    }

    /// <summary>
    /// ", but column 'b' holds '2' at file:line:column" for the first cell that is not 0 or 1 in a label
    /// column where at least <paramref name="binaryShare"/> of the cells are 0 or 1 (a 0/1 column with a
    /// stray value, which must not silently turn a multi-label task into regression); null when there is none.
    /// </summary>
    private static string? StrayCell(string path, Cells table, int[] labelCols, string[] labelNames, double binaryShare)
    {
        for (int k = 0; k < labelCols.Length; k++)
        {
            var column = table.Rows.Select(r => r[labelCols[k]]).ToArray();
            bool IsBit(string s) => CsvReader.TryParse(s, out float f) && f is 0f or 1f;
            int bits = column.Count(IsBit);
            if (bits == column.Length || bits < binaryShare * column.Length) continue;
            int r = Array.FindIndex(column, s => !IsBit(s));
            return $", but column {Printable.Quote(labelNames[k])} holds {Printable.Quote(column[r])} at {path}:{table.Lines[r]}:{labelCols[k] + 1}";
        }
        return null;
    }

    /// <summary>Refuses a label with control characters: it would become a class name that no message or file can show safely.</summary>
    private static void CheckLabel(string path, Cells table, int row, int column, string label)
    {
        if (Printable.Escape(label) != label)
            throw new DataFormatException($"{path}:{table.Lines[row]}:{column + 1}: the label {Printable.Quote(label)} holds control characters");
    }

    private static bool LooksCategorical(string[] cells)
    {
        var values = cells.Select(s => { CsvReader.TryParse(s, out float f); return f; }).ToArray();
        return values.All(v => v == MathF.Round(v)) && values.Distinct().Count() <= MaxInferredClasses;
    }

    private static string[] SortedClasses(string[] cells, bool numeric) => numeric
        ? [.. cells.Select(s => { CsvReader.TryParse(s, out float f); return f; }).Distinct().Order().Select(f => f.ToString(CultureInfo.InvariantCulture))]
        : [.. cells.Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The index of <paramref name="cell"/> in <paramref name="classes"/> (numeric labels compare as numbers), or −1.</summary>
    public static int IndexOfClass(IReadOnlyList<string> classes, string cell, bool numeric)
    {
        ArgumentNullException.ThrowIfNull(classes);
        for (int i = 0; i < classes.Count; i++) if (string.Equals(classes[i], cell, StringComparison.Ordinal)) return i;
        if (numeric && CsvReader.TryParse(cell, out float v))
            for (int i = 0; i < classes.Count; i++)
                if (CsvReader.TryParse(classes[i], out float w) && w == v) return i;
        return -1;
    }
}
