using System.Globalization;
using System.Runtime.InteropServices;

namespace Nabla.Data;

/// <summary>
/// Reads a graph from an edge list: one edge per line, <c>source target</c> or
/// <c>source target weight</c>, separated by tabs, commas or spaces (the first edge line decides);
/// gzipped when the name ends in <c>.gz</c>. Lines starting with <c>#</c> and empty lines are skipped.
/// </summary>
/// <remarks>
/// Nodes are named by the file: without <c>nodeCount</c> each distinct name becomes a node, numbered
/// in order of first appearance (<see cref="Graph.NodeNames"/> keeps the names); with it, names must
/// be whole numbers in [0, nodeCount) and are the node indices (isolated nodes included).
/// </remarks>
public static class EdgeList
{
    /// <summary>Reads the edge list at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="symmetrize">Add the reverse of every edge (an undirected graph).</param>
    /// <param name="selfLoops">Give every node a self loop.</param>
    /// <param name="hasHeader">Whether the first edge line names the columns and is skipped.</param>
    /// <param name="nodeCount">Null to number names by first appearance; else names are node indices below it.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A line without 2 or 3 fields, a weight that is not a finite number, an index outside [0, nodeCount); names file:line:column.</exception>
    public static Graph Load(string path, bool symmetrize = false, bool selfLoops = false, bool hasHeader = false, int? nodeCount = null)
    {
        var lines = DataFile.ReadLines(path);
        string name = Path.GetFileName(path);
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var sources = new List<int>();
        var targets = new List<int>();
        var weights = new List<float>();
        char? delimiter = null;
        bool headerPending = hasHeader;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            delimiter ??= line.Contains('\t', StringComparison.Ordinal) ? '\t' : line.Contains(',', StringComparison.Ordinal) ? ',' : ' ';
            var fields = delimiter == ' ' ? line.Split(' ', StringSplitOptions.RemoveEmptyEntries) : line.Split(delimiter.Value);
            if (headerPending)
            {
                headerPending = false;
                continue;
            }
            if (fields.Length is < 2 or > 3)
                throw new DataFormatException($"{name}:{i + 1}: expected 'source target' or 'source target weight', found {fields.Length} field{(fields.Length == 1 ? "" : "s")}");
            if (fields.Length == 3)
            {
                if (weights.Count != sources.Count)
                    throw new DataFormatException($"{name}:{i + 1}:3: this edge has a weight but the edges before it have none");
                if (!float.TryParse(fields[2].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float w) || !float.IsFinite(w))
                    throw new DataFormatException($"{name}:{i + 1}:3: edge weight '{fields[2].Trim()}' is not a finite number");
                weights.Add(w);
            }
            else if (weights.Count > 0)
                throw new DataFormatException($"{name}:{i + 1}: this edge has no weight but the edges before it have one");
            sources.Add(Node(fields[0].Trim(), i + 1, 1));
            targets.Add(Node(fields[1].Trim(), i + 1, 2));
        }
        int n = nodeCount ?? names.Count;
        return Graph.FromEdges(n, CollectionsMarshal.AsSpan(sources), CollectionsMarshal.AsSpan(targets), CollectionsMarshal.AsSpan(weights),
            symmetrize, selfLoops, nodeCount is null ? names : null);

        int Node(string id, int line, int column)
        {
            if (id.Length == 0) throw new DataFormatException($"{name}:{line}:{column}: empty node name");
            if (nodeCount is { } count)
            {
                if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k >= count)
                    throw new DataFormatException($"{name}:{line}:{column}: node '{id}' is not an index in 0..{count - 1}");
                return k;
            }
            if (index.TryGetValue(id, out int known)) return known;
            index[id] = names.Count;
            names.Add(id);
            return names.Count - 1;
        }
    }
}
