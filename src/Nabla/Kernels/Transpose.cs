using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Dense matrix transposition: dst <c>[cols, rows]</c> = src <c>[rows, cols]</c>ᵀ, or dst += srcᵀ.
/// Walks 32 × 32 tiles so both sides stay in cache (a row-by-row walk of a 64 × 5,000 matrix
/// would touch a new cache line on every write).
/// </summary>
public static class Transpose
{
    private const int Tile = 32;

    /// <summary>dst[c·rows + r] = src[r·cols + c] (or += when <paramref name="accumulate"/>).</summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, bool accumulate)
    {
        if (rows < 0 || cols < 0 || src.Length < (long)rows * cols || dst.Length < (long)rows * cols)
            throw new ArgumentException($"Transpose: spans of {src.Length} and {dst.Length} elements do not hold a {rows} × {cols} matrix");
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(rows, r0 + Tile);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(cols, c0 + Tile);
                for (int c = c0; c < c1; c++)
                {
                    var d = dst.Slice(c * rows, rows);
                    if (accumulate)
                        for (int r = r0; r < r1; r++) d[r] += src[r * cols + c];
                    else
                        for (int r = r0; r < r1; r++) d[r] = src[r * cols + c];
                }
            }
        }
    }
}
