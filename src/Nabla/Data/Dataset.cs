using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>In-memory samples: inputs <c>x [N, …]</c> and targets <c>y [N, …]</c> (like PyTorch's <c>TensorDataset</c>).</summary>
public sealed class Dataset : IDataset
{
    /// <summary>Pairs <paramref name="x"/> and <paramref name="y"/> row by row (non-contiguous views are copied once).</summary>
    /// <exception cref="ShapeMismatchException">They have different numbers of rows.</exception>
    public Dataset(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank == 0 || y.Rank == 0 || x.Shape[0] != y.Shape[0])
            throw new ShapeMismatchException($"dataset inputs {x.Shape} and targets {y.Shape} must have the same number of rows");
        // Gathering copies rows out of contiguous storage; take a contiguous copy once, outside any scope.
        using (TensorScope.Suspend())
        {
            X = x.IsContiguous ? x : Tensor.FromArray(x.ToArray(), x.Shape.ToArray());
            Y = y.IsContiguous ? y : Tensor.FromArray(y.ToArray(), y.Shape.ToArray());
        }
    }

    /// <summary>The inputs.</summary>
    public Tensor X { get; }

    /// <summary>The targets.</summary>
    public Tensor Y { get; }

    /// <inheritdoc/>
    public int Count => X.Shape[0];

    /// <inheritdoc/>
    public Batch Gather(ReadOnlySpan<int> indices)
    {
        CheckIndices(indices, Count);
        return new Batch(GatherRows(X, indices), GatherRows(Y, indices));
    }

    /// <summary>A new dataset of the rows <paramref name="indices"/> (copied, in that order).</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        CheckIndices(indices, Count);
        using (TensorScope.Suspend()) return new Dataset(GatherRows(X, indices), GatherRows(Y, indices));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CheckIndices(ReadOnlySpan<int> indices, int count)
    {
        foreach (var i in indices)
            if ((uint)i >= (uint)count) throw new ArgumentOutOfRangeException(nameof(indices), $"sample index {i} is outside 0..{count - 1}");
    }

    /// <summary><c>result[i] = source[rows[i]]</c> along the first dimension, a tensor of the current scope.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Tensor GatherRows(Tensor source, ReadOnlySpan<int> rows)
    {
        var result = Tensor.Scoped(source.Shape.With(0, rows.Length));
        int width = source.Shape[0] == 0 ? 0 : source.Numel / source.Shape[0];
        var src = source.ReadOnlyData; // a read: the source's Version stays put
        var dst = result.AsSpan();
        for (int i = 0; i < rows.Length; i++)
            src.Slice(rows[i] * width, width).CopyTo(dst.Slice(i * width, width));
        return result;
    }
}
