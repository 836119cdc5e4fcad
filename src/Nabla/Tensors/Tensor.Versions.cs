namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// A counter that moves whenever the data may have changed: on every <see cref="AsSpan"/> call
    /// and indexer store, on this tensor and on the tensor whose buffer it views (the same idea
    /// as PyTorch's <c>tensor._version</c>). Caches derived from the data compare it, so a write
    /// by any route (an optimizer step, a loaded state dict, user code) invalidates them.
    /// </summary>
    public int Version { get; private set; }

    // The data as the library reads it internally: no version change.
    internal ReadOnlySpan<float> ReadOnlyData => Buffer.AsSpan(Offset, Numel);

    /// <summary>The elements for reading; the tensor must be contiguous. Unlike <see cref="AsSpan"/> it does not move <see cref="Version"/>.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a non-contiguous view; call <c>Contiguous()</c> first.</exception>
    /// <exception cref="ObjectDisposedException">The scope that owned the tensor has ended.</exception>
    public ReadOnlySpan<float> AsReadOnlySpan()
    {
        if (!IsContiguous)
            throw new InvalidOperationException($"tensor of shape {_shape} with strides {_strides} is not contiguous; call Contiguous() first");
        return Buffer.AsSpan(Offset, Numel);
    }

    private void MarkChanged()
    {
        Version++;
        if (ViewOf is { } root) root.Version++;
    }
}
