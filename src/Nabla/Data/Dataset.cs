using System.Runtime.CompilerServices;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Data;

/// <summary>In-memory samples: inputs <c>x [N, …]</c> and targets <c>y [N, …]</c> (like PyTorch's <c>TensorDataset</c>).</summary>
public sealed class Dataset : IDataset
{
    /// <summary>Pairs <paramref name="x"/> and <paramref name="y"/> row by row.</summary>
    /// <exception cref="ShapeMismatchException">They have different numbers of rows.</exception>
    public Dataset(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank == 0 || y.Rank == 0 || x.Shape[0] != y.Shape[0])
            throw new ShapeMismatchException($"dataset inputs {x.Shape} and targets {y.Shape} must have the same number of rows");
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
        return new Batch(RowGather.Gather(X, indices), RowGather.Gather(Y, indices));
    }

    /// <summary>A new dataset of the rows <paramref name="indices"/> (copied, in that order).</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        CheckIndices(indices, Count);
        using (TensorScope.Suspend()) return new Dataset(RowGather.Gather(X, indices), RowGather.Gather(Y, indices));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CheckIndices(ReadOnlySpan<int> indices, int count)
    {
        foreach (var i in indices)
            if ((uint)i >= (uint)count) throw new ArgumentOutOfRangeException(nameof(indices), $"sample index {i} is outside 0..{count - 1}");
    }
}
