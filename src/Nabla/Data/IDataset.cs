namespace Nabla.Data;

/// <summary>
/// Samples addressable by index, as PyTorch's map-style <c>Dataset</c>; a <see cref="DataLoader"/>
/// asks for a batch of indices at a time so a dataset can copy (and convert) rows straight into
/// the batch tensors.
/// </summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>
    /// The samples <paramref name="indices"/> as one batch: inputs <c>[b, …]</c> and targets <c>[b, …]</c>,
    /// tensors of the current scope.
    /// </summary>
    Batch Gather(ReadOnlySpan<int> indices);
}
