using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Embedding lookups over a row-major table <c>[rows, dim]</c>: gathering the rows of a batch of
/// token ids and scatter-adding gradients back into only those rows.
/// </summary>
public static class EmbeddingKernels
{
    /// <summary>
    /// Converts float token ids to row indices, checking each is a whole number in 0..rows−1;
    /// returns −1 on success or the position of the first bad id.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ToRows(ReadOnlySpan<float> ids, int rows, Span<int> indices)
    {
        Guard.AtLeast(indices.Length, ids.Length, "indices");
        for (int p = 0; p < ids.Length; p++)
        {
            float v = ids[p];
            int k = (int)v;
            if (k != v || (uint)k >= (uint)rows) return p;
            indices[p] = k;
        }
        return -1;
    }

    /// <summary>y[p, :] = weight[indices[p], :] for every position p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(ReadOnlySpan<float> weight, int dim, ReadOnlySpan<int> indices, Span<float> y)
    {
        Guard.AtLeast(y.Length, (long)indices.Length * dim, "y");
        for (int p = 0; p < indices.Length; p++)
            weight.Slice(indices[p] * dim, dim).CopyTo(y.Slice(p * dim, dim));
    }

    /// <summary>
    /// target[indices[p], :] += g[p, :] for every position p whose index is not <paramref name="skip"/>
    /// (the padding row; −1 skips none), in position order so the sums are reproducible.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd(ReadOnlySpan<float> g, int dim, ReadOnlySpan<int> indices, int skip, Span<float> target)
    {
        Guard.AtLeast(g.Length, (long)indices.Length * dim, "g");
        for (int p = 0; p < indices.Length; p++)
        {
            int k = indices[p];
            if (k == skip) continue;
            var row = target.Slice(k * dim, dim);
            Primitives.Add(row, g.Slice(p * dim, dim), row);
        }
    }

    /// <summary>Zeroes rows <paramref name="rows"/> of a table <c>[·, dim]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClearRows(Span<float> table, int dim, ReadOnlySpan<int> rows)
    {
        for (int i = 0; i < rows.Length; i++) table.Slice(rows[i] * dim, dim).Clear();
    }
}
