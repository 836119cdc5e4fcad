namespace Nabla.Data;

/// <summary>What <see cref="NodeTable.Load"/> does with a neighbour that names no row of the node file.</summary>
public enum UnknownNeighbors
{
    /// <summary>Leave the edge out; <see cref="NodeData.DroppedNeighbors"/> counts such names and names the first.</summary>
    Drop,

    /// <summary>Refuse the file with a <see cref="DataFormatException"/> naming the first unknown neighbour (file:line) and how many there are.</summary>
    Refuse,
}

/// <summary>
/// Which columns of a node file <see cref="NodeTable.Load"/> reads and how it builds the graph and
/// the features. Columns are named by the file's header.
/// </summary>
public sealed record NodeTableOptions
{
    /// <summary>The column of node ids (unique, non-empty); null for the first column.</summary>
    public string? IdColumn { get; init; }

    /// <summary>The column listing each node's neighbours by id, separated by <see cref="NeighborSeparator"/> (may be empty).</summary>
    public required string NeighborColumn { get; init; }

    /// <summary>The text column turned into bag-of-words features; null for no features.</summary>
    public string? TextColumn { get; init; }

    /// <summary>The label column (one class name per node; an empty cell means unlabelled); null for none.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Separator of the ids in a neighbour cell (default ';').</summary>
    public char NeighborSeparator { get; init; } = ';';

    /// <summary>Vocabulary size: the features are the words found in the most texts (default 5,000).</summary>
    public int MaxWords { get; init; } = 5000;

    /// <summary>Add the reverse of every edge (default true: dependencies become undirected links).</summary>
    public bool Symmetrize { get; init; } = true;

    /// <summary>Give every node a self loop (default true).</summary>
    public bool SelfLoops { get; init; } = true;

    /// <summary>What to do with a neighbour that is not a node (default: drop the edge and report it).</summary>
    public UnknownNeighbors UnknownNeighbors { get; init; } = UnknownNeighbors.Drop;
}
