using System.Globalization;

namespace Nabla.Data;

/// <summary>
/// Reads a node file — one row per node with a header, tab-separated (<c>.tsv</c>, <c>.tsv.gz</c>)
/// or comma-separated with optional double quotes — into a <see cref="NodeData"/>: the graph from a
/// column of neighbour lists, binary bag-of-words features from a text column and classes from a
/// label column (<see cref="NodeTableOptions"/>).
/// </summary>
/// <remarks>
/// Bad input: a neighbour that names no node is dropped and counted, the first named in
/// <see cref="NodeData.FirstDroppedNeighbor"/> (or the file is refused with
/// <see cref="UnknownNeighbors.Refuse"/>); an empty label cell makes its node unlabelled; a node
/// without neighbours is simply isolated (only its self loop), so a file with no edges at all gives
/// a graph on which a GNN computes what an MLP would. A missing column, a ragged row, an empty or
/// repeated id are refused with a <see cref="DataFormatException"/> naming file, line and column.
/// </remarks>
/// <example><code>
/// var data = NodeTable.Load("../shared/data/debian-packages.tsv.gz", new NodeTableOptions
///     { IdColumn = "package", NeighborColumn = "depends", TextColumn = "description", LabelColumn = "section" });
/// </code></example>
public static class NodeTable
{
    /// <summary>Reads the node file at <paramref name="path"/> (gzipped when it ends in <c>.gz</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed or a named column is missing; names file, line and column.</exception>
    public static NodeData Load(string path, NodeTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lines = DataFile.ReadLines(path);
        string name = Path.GetFileName(path);
        char delimiter = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tsv.gz", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        int headerLine = 0;
        while (headerLine < lines.Count && lines[headerLine].Trim().Length == 0) headerLine++;
        if (headerLine == lines.Count) throw new DataFormatException($"{name}: the file is empty; a node file needs a header line naming its columns");
        var header = Fields(lines[headerLine], delimiter, name, headerLine + 1);
        string where = $"{name}:{headerLine + 1}";
        int idColumn = options.IdColumn is null ? 0 : Column(header, options.IdColumn, where, "id");
        int neighborColumn = Column(header, options.NeighborColumn, where, "neighbour");
        int textColumn = options.TextColumn is null ? -1 : Column(header, options.TextColumn, where, "text");
        int labelColumn = options.LabelColumn is null ? -1 : Column(header, options.LabelColumn, where, "label");

        var ids = new List<string>();
        var lineOf = new List<int>();
        var neighborCells = new List<string>();
        var texts = new List<string?>();
        var labelCells = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = headerLine + 1; i < lines.Count; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var cells = Fields(lines[i], delimiter, name, i + 1);
            if (cells.Count != header.Count)
                throw new DataFormatException($"{name}:{i + 1}:{Math.Min(cells.Count, header.Count) + 1}: expected {header.Count} fields, found {cells.Count}");
            string id = cells[idColumn].Trim();
            if (id.Length == 0) throw new DataFormatException($"{name}:{i + 1}:{idColumn + 1}: empty node id in column '{header[idColumn]}'");
            if (!index.TryAdd(id, ids.Count))
                throw new DataFormatException($"{name}:{i + 1}:{idColumn + 1}: node id '{id}' repeats the one on line {lineOf[index[id]]}");
            ids.Add(id);
            lineOf.Add(i + 1);
            neighborCells.Add(cells[neighborColumn]);
            if (textColumn >= 0) texts.Add(cells[textColumn]);
            if (labelColumn >= 0) labelCells.Add(cells[labelColumn].Trim());
        }
        if (ids.Count == 0) throw new DataFormatException($"{name}: the file has a header but no node rows");

        var sources = new List<int>();
        var targets = new List<int>();
        int unknown = 0;
        string? firstUnknown = null, firstUnknownWhere = null;
        for (int node = 0; node < ids.Count; node++)
        {
            foreach (var part in neighborCells[node].Split(options.NeighborSeparator))
            {
                string neighbor = part.Trim();
                if (neighbor.Length == 0) continue;
                if (index.TryGetValue(neighbor, out int j))
                {
                    // Node `node` lists j: messages flow j → node (and back once symmetrized).
                    sources.Add(j);
                    targets.Add(node);
                    continue;
                }
                if (unknown++ > 0) continue;
                firstUnknown = neighbor;
                firstUnknownWhere = $"{name}:{lineOf[node]}:{neighborColumn + 1}";
            }
        }
        if (unknown > 0 && options.UnknownNeighbors == UnknownNeighbors.Refuse)
            throw new DataFormatException($"{firstUnknownWhere}: neighbour '{firstUnknown}' in column '{header[neighborColumn]}' is not a node id ({unknown.ToString("N0", CultureInfo.InvariantCulture)} unknown neighbours in the file; UnknownNeighbors.Drop leaves them out)");

        var graph = Graph.FromEdges(ids.Count, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sources),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(targets), default, options.Symmetrize, options.SelfLoops, ids);
        BagOfWords? vocabulary = textColumn >= 0 ? BagOfWords.Fit(texts, options.MaxWords) : null;
        var features = vocabulary?.Transform(texts);
        var (labels, classes) = Labels(labelCells, ids.Count);
        return new NodeData(graph, features, labels, classes)
        {
            Vocabulary = vocabulary,
            DroppedNeighbors = unknown,
            FirstDroppedNeighbor = firstUnknown is null ? null : $"'{firstUnknown}' ({firstUnknownWhere})",
        };
    }

    // Text labels become classes in ordinal order; an empty cell is an unlabelled node.
    private static (int[] Labels, string[] Classes) Labels(List<string> cells, int nodes)
    {
        if (cells.Count == 0) return (Enumerable.Repeat(-1, nodes).ToArray(), []);
        var classes = cells.Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < classes.Length; c++) lookup[classes[c]] = c;
        return (cells.Select(c => c.Length == 0 ? -1 : lookup[c]).ToArray(), classes);
    }

    private static int Column(List<string> header, string column, string where, string role)
    {
        int i = header.FindIndex(h => string.Equals(h.Trim(), column, StringComparison.Ordinal));
        if (i < 0) throw new DataFormatException($"{where}: no {role} column '{column}'; the columns are {string.Join(", ", header.Select(h => h.Trim()))}");
        return i;
    }

    /// <summary>
    /// The fields of one line: split at every tab for TSV; for CSV at commas outside double quotes,
    /// a quoted field's <c>""</c> standing for one quote.
    /// </summary>
    internal static List<string> Fields(string line, char delimiter, string file, int lineNumber)
    {
        if (delimiter != ',' || !line.Contains('"', StringComparison.Ordinal)) return [.. line.Split(delimiter)];
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') field.Append(line[++i]);
                else quoted = false;
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else field.Append(c);
        }
        if (quoted) throw new DataFormatException($"{file}:{lineNumber}:{fields.Count + 1}: a quoted field is not closed on its line");
        fields.Add(field.ToString());
        return fields;
    }
}
