namespace Nabla.Data;

/// <summary>
/// Zachary's karate club, the classic small social network: 34 members of a university karate club,
/// 78 friendships observed outside the club, and the two factions the club split into after a
/// dispute between the instructor (node 0, "Mr. Hi") and the administrator (node 33, "Officer").
/// </summary>
/// <remarks>
/// Source: W. W. Zachary, "An information flow model for conflict and fission in small groups",
/// Journal of Anthropological Research 33(4), 452–473 (1977) — the unweighted edge list and the
/// "club after fission" factions, 0-indexed, as distributed with NetworkX (<c>karate_club_graph</c>)
/// and PyTorch Geometric (<c>KarateClub</c>). Public data; see Data/Embedded/LICENSES.md.
/// </remarks>
public static class KarateClub
{
    // The 78 undirected edges (i < j).
    private static readonly int[] Edges =
    [
        0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 10, 0, 11, 0, 12, 0, 13, 0, 17, 0, 19, 0, 21, 0, 31,
        1, 2, 1, 3, 1, 7, 1, 13, 1, 17, 1, 19, 1, 21, 1, 30, 2, 3, 2, 7, 2, 8, 2, 9, 2, 13, 2, 27, 2, 28, 2, 32,
        3, 7, 3, 12, 3, 13, 4, 6, 4, 10, 5, 6, 5, 10, 5, 16, 6, 16, 8, 30, 8, 32, 8, 33, 9, 33, 13, 33, 14, 32, 14, 33,
        15, 32, 15, 33, 18, 32, 18, 33, 19, 33, 20, 32, 20, 33, 22, 32, 22, 33, 23, 25, 23, 27, 23, 29, 23, 32, 23, 33,
        24, 25, 24, 27, 24, 31, 25, 31, 26, 29, 26, 33, 27, 33, 28, 31, 28, 33, 29, 32, 29, 33, 30, 32, 30, 33,
        31, 32, 31, 33, 32, 33,
    ];

    // Faction after the split: 0 = Mr. Hi's club, 1 = the Officer's.
    private const string Factions = "0000000001000011001010111111111111";

    /// <summary>Number of members.</summary>
    public const int NodeCount = 34;

    /// <summary>Number of undirected friendships.</summary>
    public const int EdgeCount = 78;

    /// <summary>
    /// The club as node-classification data: the undirected graph (156 directed edges, no self
    /// loops), one-hot identity features (each member is its own feature, as in Kipf and Welling's
    /// karate-club example) and every member's faction, classes <c>Mr. Hi</c> and <c>Officer</c>.
    /// </summary>
    public static NodeData Load()
    {
        int m = Edges.Length / 2;
        var sources = new int[m];
        var targets = new int[m];
        for (int e = 0; e < m; e++)
        {
            sources[e] = Edges[2 * e];
            targets[e] = Edges[2 * e + 1];
        }
        var names = Enumerable.Range(0, NodeCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var graph = Graph.FromEdges(NodeCount, sources, targets, symmetrize: true, nodeNames: names);
        var identity = Enumerable.Range(0, NodeCount).ToArray();
        var features = CsrMatrix.FromEntries(NodeCount, NodeCount, identity, identity);
        var labels = Factions.Select(c => c - '0').ToArray();
        return new NodeData(graph, features, labels, ["Mr. Hi", "Officer"]);
    }
}
