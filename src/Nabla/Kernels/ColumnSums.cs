using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Column sums of a row-major matrix, dst[j] (+)= Σᵣ src[r, j] — the bias gradient of a layer
/// applied to many rows (a recurrent layer's N·T rows). Four rows are added per pass over dst, so
/// dst is read and written rows/4 times instead of rows times.
/// </summary>
internal static class ColumnSums
{
    /// <summary>dst (+)= the sums of the <paramref name="rows"/> rows of <paramref name="src"/> ([rows, cols]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, bool accumulate)
    {
        Guard.AtLeast(src.Length, (long)rows * cols, nameof(src));
        Guard.AtLeast(dst.Length, cols, nameof(dst));
        if (!accumulate) dst[..cols].Clear();
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref float r0 = ref Unsafe.Add(ref s, r * cols);
            ref float r1 = ref Unsafe.Add(ref r0, cols);
            ref float r2 = ref Unsafe.Add(ref r1, cols);
            ref float r3 = ref Unsafe.Add(ref r2, cols);
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= cols; j += 8)
                {
                    nuint u = (nuint)j;
                    var sum = (Vector256.LoadUnsafe(ref r0, u) + Vector256.LoadUnsafe(ref r1, u)) + (Vector256.LoadUnsafe(ref r2, u) + Vector256.LoadUnsafe(ref r3, u));
                    (Vector256.LoadUnsafe(ref d, u) + sum).StoreUnsafe(ref d, u);
                }
            }
            for (; j < cols; j++)
                Unsafe.Add(ref d, j) += (Unsafe.Add(ref r0, j) + Unsafe.Add(ref r1, j)) + (Unsafe.Add(ref r2, j) + Unsafe.Add(ref r3, j));
        }
        for (; r < rows; r++) Primitives.Add(dst[..cols], src.Slice(r * cols, cols), dst[..cols]);
    }
}
