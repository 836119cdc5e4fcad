using System.Runtime.CompilerServices;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// A counter that moves whenever the data may have changed: on every <see cref="AsSpan"/> call
    /// and indexer store, on this tensor and on the tensor whose buffer it views (the same idea
    /// as PyTorch's <c>tensor._version</c>). Caches derived from the data compare it.
    /// </summary>
    public int Version { get; private set; }

    private float[]? _transposed;
    private int _transposedVersion;
    private int _transposedRequests;

    /// <summary>True while a transposed copy made by <see cref="TransposedWhileUnchanged"/> is held (for tests).</summary>
    internal bool HoldsTransposedCopy => _transposed is not null && _transposedVersion == (ViewOf ?? this).Version + Version;

    // The data as the library reads it internally: no version change.
    internal ReadOnlySpan<float> ReadOnlyData => Buffer.AsSpan(Offset, Numel);

    // A pooled tensor object is reused for other data: its copy must not survive into that life.
    private void ForgetTransposed()
    {
        _transposed = null;
        _transposedRequests = 0;
    }

    private void MarkChanged()
    {
        Version++;
        if (ViewOf is { } root) root.Version++;
    }

    /// <summary>
    /// For a contiguous 2-D tensor [r, c], its transpose [c, r] row-major, kept while the data is
    /// unchanged; null until the same data has been asked for <paramref name="requestsBeforeCopy"/>
    /// times, so a weight that changes between uses (training) never pays for the copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal float[]? TransposedWhileUnchanged(int requestsBeforeCopy)
    {
        if (Rank != 2 || !IsContiguous) return null;
        int version = (ViewOf ?? this).Version + Version;
        if (_transposed is not null && _transposedVersion == version) return _transposed;
        if (_transposedVersion != version)
        {
            _transposedVersion = version;
            _transposedRequests = 0;
            _transposed = null;
        }
        if (++_transposedRequests < requestsBeforeCopy) return null;
        int rows = _shape[0], cols = _shape[1];
        var src = ReadOnlyData;
        var t = new float[rows * cols];
        // 8×8 blocks keep both the reads and the writes within a few cache lines.
        for (int i0 = 0; i0 < rows; i0 += 8)
            for (int j0 = 0; j0 < cols; j0 += 8)
                for (int i = i0; i < Math.Min(i0 + 8, rows); i++)
                    for (int j = j0; j < Math.Min(j0 + 8, cols); j++)
                        t[j * rows + i] = src[i * cols + j];
        _transposed = t;
        return t;
    }
}
