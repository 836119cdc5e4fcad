using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// Updates restricted to the rows a row-sparse gradient lists (<see cref="Tensors.Tensor.TryGetGradRows"/>):
/// every other row has a zero gradient, and under these rules a zero gradient leaves the row and its
/// state unchanged, so skipping it gives the same numbers as the dense update.
/// </summary>
internal static class RowSparseUpdates
{
    /// <summary>SGD without momentum or weight decay: p[r] ← p[r] − lr·g[r] for each listed row r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, int width, ReadOnlySpan<int> rows, float lr)
    {
        foreach (int r in rows)
        {
            var pr = p.Slice(r * width, width);
            Primitives.MultiplyAdd(g.Slice(r * width, width), -lr, pr, pr);
        }
    }

    /// <summary>
    /// Adagrad without weight decay on each listed row: s ← s + g², p ← p − lr·g / (√s + eps), with
    /// <paramref name="scratch"/> at least <paramref name="width"/> long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adagrad(Span<float> p, ReadOnlySpan<float> g, Span<float> sum, int width, ReadOnlySpan<int> rows,
        float lr, float eps, Span<float> scratch)
    {
        var b = scratch[..width];
        foreach (int r in rows)
        {
            var gr = g.Slice(r * width, width);
            var sr = sum.Slice(r * width, width);
            var pr = p.Slice(r * width, width);
            Primitives.Multiply(gr, gr, b);
            Primitives.Add(sr, b, sr);
            Primitives.Sqrt(sr, b);
            Primitives.Add(b, eps, b);
            Primitives.Divide(gr, b, b);
            Primitives.MultiplyAdd(b, -lr, pr, pr);
        }
    }
}
