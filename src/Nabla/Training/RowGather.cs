using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>Copies selected rows of a contiguous tensor into a new tensor of the current scope.</summary>
internal static class RowGather
{
    /// <summary><c>result[i] = source[rows[i]]</c> along the first dimension.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Gather(Tensor source, ReadOnlySpan<int> rows)
    {
        var shape = source.Shape.With(0, rows.Length);
        var result = Tensor.Uninitialized(shape);
        int width = source.Shape[0] == 0 ? 0 : source.Numel / source.Shape[0];
        var src = source.AsSpan();
        var dst = result.AsSpan();
        for (int i = 0; i < rows.Length; i++)
            src.Slice(rows[i] * width, width).CopyTo(dst.Slice(i * width, width));
        return result;
    }
}
