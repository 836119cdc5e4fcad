namespace Nabla.Data.Text;

/// <summary>
/// Reads text pairs for sequence-to-sequence training (the <c>pairs:PATH</c> data SPEC): a CSV or TSV
/// file (see <see cref="TextTable"/>: header required, <c>.gz</c> allowed, UTF-8) whose
/// source column holds the inputs and target column the outputs.
/// Rows with an empty source or target cell are left out and counted in <see cref="Warnings"/>.
/// </summary>
/// <param name="Sources">The input texts, in file order.</param>
/// <param name="Targets">The output texts, aligned with <paramref name="Sources"/>.</param>
/// <param name="Lines">The file line of each pair (1-based), for messages.</param>
/// <param name="SourceColumn">The source column's header name.</param>
/// <param name="TargetColumn">The target column's header name.</param>
public sealed record TextPairs(string[] Sources, string[] Targets, int[] Lines, string SourceColumn, string TargetColumn)
{
    /// <summary>Things the reader did that the user should hear about (skipped rows), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Number of pairs.</summary>
    public int Count => Sources.Length;

    /// <summary>Reads the pairs of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataSpecException">A column is not named or does not exist (names those that do), or both are the same.</exception>
    /// <exception cref="DataFormatException">Invalid UTF-8, ragged rows, an empty file, fewer than 2 complete pairs; names file:line.</exception>
    public static TextPairs Read(string path, string? source, string? target, char? delimiter = null)
    {
        var table = TextTable.Read(path, delimiter);
        var header = table.Header!;
        int s = Column(path, header, source, "source"), t = Column(path, header, target, "target");
        if (s == t) throw new DataSpecException($"{path}: column '{header[s]}' cannot be both the source and the target");
        var sources = new List<string>();
        var targets = new List<string>();
        var lines = new List<int>();
        var empty = new List<int>();
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var row = table.Rows[r];
            if (row[s].Length == 0 || row[t].Length == 0)
            {
                empty.Add(table.Lines[r]);
                continue;
            }
            sources.Add(row[s]);
            targets.Add(row[t]);
            lines.Add(table.Lines[r]);
        }
        if (sources.Count < 2)
            throw new DataFormatException($"{path}: {sources.Count} row(s) with both a source ('{header[s]}') and a target ('{header[t]}'); at least 2 are needed to train and test");
        string[] warnings = empty.Count == 0 ? [] :
            [$"{path}: skipped {empty.Count} row(s) whose source or target cell is empty (line{(empty.Count > 1 ? "s" : "")} {string.Join(", ", empty.Take(5))}{(empty.Count > 5 ? ", …" : "")})"];
        return new TextPairs([.. sources], [.. targets], [.. lines], header[s], header[t]) { Warnings = warnings };
    }

    private static int Column(string path, string[] header, string? name, string role)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new DataSpecException($"{path}: name the {role} column; the columns are {string.Join(", ", header)}");
        int index = Array.IndexOf(header, name.Trim());
        if (index >= 0) return index;
        var close = header.FirstOrDefault(h => string.Equals(h, name.Trim(), StringComparison.OrdinalIgnoreCase));
        throw new DataSpecException($"{path}: {role} column '{name}' does not exist (columns: {string.Join(", ", header)}){(close is null ? "" : $"; did you mean '{close}'?")}");
    }
}
