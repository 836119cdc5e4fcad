using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded order the micro-kernels read,
/// so the kernels stream unit-stride memory whatever the transposes and strides of the inputs.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs <paramref name="rows"/> rows × <paramref name="kc"/> of op(A), times alpha, as
    /// <c>dst[p·MR + r]</c>; rows ≥ <paramref name="rows"/> up to MR are zero.
    /// </summary>
    /// <remarks>Alpha is applied here, on m·k values, rather than on m·n outputs.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TKernel>(float* a, nint rs, nint cs, int rows, int kc, float alpha, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.Rows;
        if (rows < mr)
        {
            // Zero the padding once; the copy below fills the valid rows.
            new Span<float>(dst, mr * kc).Clear();
        }

        if (cs == 1)
        {
            // Rows of op(A) are contiguous: read each row forward, write with stride MR.
            for (int r = 0; r < rows; r++)
            {
                float* src = a + r * rs;
                float* d = dst + r;
                if (alpha == 1f)
                    for (int p = 0; p < kc; p++) d[p * mr] = src[p];
                else
                    for (int p = 0; p < kc; p++) d[p * mr] = alpha * src[p];
            }
        }
        else
        {
            // Columns of op(A) are contiguous (A transposed): each k step is one short copy.
            for (int p = 0; p < kc; p++)
            {
                float* src = a + p * cs;
                float* d = dst + p * mr;
                for (int r = 0; r < rows; r++) d[r] = alpha * src[r];
            }
        }
    }

    /// <summary>
    /// Packs <paramref name="kc"/> × <paramref name="cols"/> of op(B) as <c>dst[p·NR + j]</c>;
    /// columns ≥ <paramref name="cols"/> up to NR are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TKernel>(float* b, nint rs, nint cs, int cols, int kc, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        int nr = TKernel.Cols;
        if (cols < nr) new Span<float>(dst, nr * kc).Clear();

        if (cs == 1)
        {
            if (cols == nr && Vector256.IsHardwareAccelerated && nr % 8 == 0)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + p * rs;
                    float* d = dst + p * nr;
                    for (int j = 0; j < nr; j += 8)
                        Vector256.Store(Vector256.Load(src + j), d + j);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                    new ReadOnlySpan<float>(b + p * rs, cols).CopyTo(new Span<float>(dst + p * nr, cols));
            }
        }
        else
        {
            // op(B) = Bᵀ with B stored [n, k] (dense weights): read each stored row forward.
            for (int j = 0; j < cols; j++)
            {
                float* src = b + j * cs;
                float* d = dst + j;
                for (int p = 0; p < kc; p++) d[p * nr] = src[p];
            }
        }
    }
}
