using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// One sample through a large dense layer, not training: reading the weights is the whole cost,
/// so the product reads only the weights facing non-zero inputs (<see cref="SparseRowProduct"/>),
/// from a transposed copy of W that this object keeps while W is unchanged.
/// </summary>
/// <remarks>
/// The copy is tied to the weight tensor and its <see cref="Tensor.Version"/>, which every write
/// moves (an optimizer step, a loaded state dict, a user's <c>AsSpan()</c> or indexer store), so a
/// stale copy is never read. The copy is made only after the same weights have served
/// <see cref="CallsBeforeCopy"/> calls unchanged: a weight that changes between calls, as in
/// training, never gets one.
/// </remarks>
internal sealed class OneRowInference
{
    // Weights below this size are read faster densely than the zero check and copy are worth.
    private const long MinWeights = 1 << 15;

    // Unchanged calls before the transposed copy is made.
    private const int CallsBeforeCopy = 8;

    private Tensor? _source;
    private int _sourceVersion;
    private int _requests;
    private float[]? _transposed;

    /// <summary>True while a transposed copy of the current weights is held (for tests).</summary>
    internal bool HoldsCopy(Tensor weight) =>
        _transposed is not null && ReferenceEquals(_source, weight) && _sourceVersion == weight.Version;

    /// <summary>
    /// y = x·Wᵀ + b for one row through the zero-skipping product, or null when this call should
    /// take the dense path (gradients recorded, a small layer, few zeros, or no copy yet).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Tensor? TryForward(Tensor x, Tensor weight, Tensor? bias, bool records)
    {
        if (records || x.Rank != 2 || x.Shape[0] != 1 || !x.IsContiguous || !weight.IsContiguous
            || (long)weight.Numel < MinWeights || (bias is not null && !bias.IsContiguous))
            return null;
        var xs = x.ReadOnlyData;
        if (!SparseRowProduct.WorthSkipping(xs)) return null;
        var wT = Transposed(weight);
        if (wT is null) return null;
        int n = weight.Shape[0];
        var y = Tensor.Scoped(new Shape(1, n));
        var ys = y.AsSpan();
        if (bias is not null) bias.ReadOnlyData.CopyTo(ys);
        SparseRowProduct.Compute(xs, wT, n, bias is null ? 0f : 1f, ys);
        return y;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[]? Transposed(Tensor weight)
    {
        if (!ReferenceEquals(_source, weight) || _sourceVersion != weight.Version)
        {
            _source = weight;
            _sourceVersion = weight.Version;
            _requests = 0;
            _transposed = null;
        }
        if (_transposed is not null) return _transposed;
        if (++_requests < CallsBeforeCopy) return null;
        int rows = weight.Shape[0], cols = weight.Shape[1];
        var src = weight.ReadOnlyData;
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
