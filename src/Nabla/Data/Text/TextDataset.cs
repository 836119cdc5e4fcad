using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Data.Text;

/// <summary>
/// Texts kept as token-index rows of their own lengths, padded per batch: <see cref="Gather"/>
/// gives ids <c>[b, L]</c> with L the fixed <see cref="SequenceLength"/> (longer rows keep their
/// first L tokens) or, when null, the longest row of that batch — so short texts do not pay for
/// the longest one in the data set — and the targets' rows. Made from texts
/// (<see cref="FromTexts"/>), it keeps them (<see cref="Texts"/>) so they can be encoded again with
/// another vectorizer.
/// </summary>
public sealed class TextDataset : IDataset
{
    private readonly int[][] _rows;
    private readonly string[]? _texts;

    /// <summary>Pairs index rows (e.g. from <see cref="TextVectorization.Encode"/>) with target rows.</summary>
    /// <exception cref="ShapeMismatchException">The number of rows differs.</exception>
    public TextDataset(IReadOnlyList<int[]> rows, Tensor targets, int? sequenceLength = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Rank == 0 || targets.Shape[0] != rows.Count)
            throw new ShapeMismatchException($"text dataset has {rows.Count} texts but targets of shape {targets.Shape}");
        if (sequenceLength is < 1) throw new ArgumentOutOfRangeException(nameof(sequenceLength), $"sequence length must be at least 1, got {sequenceLength}");
        _rows = [.. rows];
        using (TensorScope.Suspend())
            Targets = targets.IsContiguous ? targets : Tensor.FromArray(targets.ToArray(), targets.Shape.ToArray());
        SequenceLength = sequenceLength;
    }

    /// <summary>The texts of <paramref name="texts"/> encoded by an adapted <paramref name="vectorizer"/>, padded to its output length.</summary>
    public static TextDataset FromTexts(TextVectorization vectorizer, IReadOnlyList<string> texts, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(vectorizer);
        ArgumentNullException.ThrowIfNull(texts);
        string[] kept = [.. texts];
        return new TextDataset(kept.Select(vectorizer.Encode).ToArray(), targets, vectorizer.OutputSequenceLength, kept);
    }

    private TextDataset(int[][] rows, Tensor targets, int? sequenceLength, string[]? texts)
        : this(rows, targets, sequenceLength)
    {
        _texts = texts;
    }

    /// <summary>The texts the rows were encoded from (<see cref="FromTexts"/>), or null.</summary>
    public IReadOnlyList<string>? Texts => _texts;

    /// <summary>The same texts and targets encoded by <paramref name="vectorizer"/> (padded to its output length).</summary>
    /// <exception cref="InvalidOperationException">The data set was not made from texts.</exception>
    public TextDataset Encode(TextVectorization vectorizer)
    {
        ArgumentNullException.ThrowIfNull(vectorizer);
        if (_texts is null) throw new InvalidOperationException("this text dataset was made from index rows, not texts: it cannot be encoded again");
        return FromTexts(vectorizer, _texts, Targets);
    }

    /// <summary>A data set of the rows <paramref name="indices"/> (in that order), texts included.</summary>
    public TextDataset Subset(ReadOnlySpan<int> indices)
    {
        Dataset.CheckIndices(indices, Count);
        var rows = new int[indices.Length][];
        string[]? texts = _texts is null ? null : new string[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            rows[i] = _rows[indices[i]];
            if (texts is not null) texts[i] = _texts![indices[i]];
        }
        using (TensorScope.Suspend()) return new TextDataset(rows, Dataset.GatherRows(Targets, indices), SequenceLength, texts);
    }

    /// <summary>The target rows.</summary>
    public Tensor Targets { get; }

    /// <summary>The fixed batch width, or null for each batch's longest row.</summary>
    public int? SequenceLength { get; }

    /// <summary>The token indices of row <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> Row(int index) => _rows[index];

    /// <inheritdoc/>
    public int Count => _rows.Length;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Batch Gather(ReadOnlySpan<int> indices)
    {
        Dataset.CheckIndices(indices, Count);
        int width = SequenceLength ?? 1;
        if (SequenceLength is null)
            foreach (int i in indices) width = Math.Max(width, _rows[i].Length);
        var ids = Tensor.Scoped(new Shape(indices.Length, width), zeroed: true);
        var dst = ids.AsSpan();
        for (int r = 0; r < indices.Length; r++)
        {
            var row = _rows[indices[r]];
            int n = Math.Min(row.Length, width);
            for (int j = 0; j < n; j++) dst[r * width + j] = row[j];
        }
        return new Batch(ids, Dataset.GatherRows(Targets, indices));
    }
}
