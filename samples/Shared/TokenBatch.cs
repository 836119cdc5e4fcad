using Nabla.Tensors;

namespace Nabla.Samples;

/// <summary>Token sequences to padded id tensors for the transformer samples.</summary>
internal static class TokenBatch
{
    /// <summary>
    /// Rows <paramref name="rows"/> of <paramref name="sequences"/> as a [rows, L] tensor of ids,
    /// each as prefix + sequence + suffix, padded with <see cref="CharVocabulary.Pad"/> to the longest
    /// (or cut to <paramref name="maxLength"/>).
    /// </summary>
    public static Tensor Ids(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> rows, int? prefix = null, int? suffix = null, int maxLength = int.MaxValue)
    {
        int extra = (prefix is null ? 0 : 1) + (suffix is null ? 0 : 1), length = 0;
        foreach (int r in rows) length = Math.Max(length, Math.Min(maxLength, sequences[r].Length + extra));
        var data = new float[rows.Length * length];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = data.AsSpan(i * length, length);
            int at = 0;
            if (prefix is { } p) row[at++] = p;
            foreach (int id in sequences[rows[i]])
            {
                if (at == length) break;
                row[at++] = id;
            }
            if (suffix is { } s && at < length) row[at] = s;
        }
        return Tensor.FromArray(data, rows.Length, length);
    }
}
