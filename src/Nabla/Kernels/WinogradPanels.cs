using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// The layout in which the Winograd input transforms (<see cref="WinogradConv"/>, <see cref="WinogradF4Conv"/>) write
/// V_ξ [c, t] when the products read it as already packed B (<see cref="Gemm.SgemmPackedB"/>): per transform plane,
/// ⌈t / nr⌉ panels of c rows × nr tiles, tiles past t zero, so the GEMM does not copy V once more after the transform.
/// </summary>
internal static class WinogradPanels
{
    /// <summary>
    /// Panel width for the products' B = V_ξ [c, t] written already packed (<see cref="Gemm.SgemmPackedB"/>), or 0 for
    /// the plain layout: the path's NR when it is a multiple of 8 (the vector paths), so an 8-tile vector aligned to
    /// 8 never crosses a panel edge; the scalar path keeps the plain layout and the packing copy.
    /// </summary>
    internal static int Width(KernelPath path, int t)
    {
        int nr = Gemm.PackedPanelWidth(path, t);
        return nr % 8 == 0 ? nr : 0;
    }

    /// <summary>
    /// Floats from one transform plane V_ξ to the next: c·t plain; packed, c·t rounded up to whole panels of
    /// <paramref name="nr"/> tiles, plus one cache line. Without that line the planes (and with c·nr floats a
    /// multiple of 4 KiB, the panels) lie a multiple of 4 KiB apart, so the stores of a vector of tiles to all 16 or
    /// 36 planes fall into one cache set and evict each other before the next vector fills the rest of their lines.
    /// </summary>
    internal static int PlaneLength(int c, int t, int nr) => nr == 0 ? c * t : c * ((t + nr - 1) / nr * nr) + 16;

    /// <summary>Where V_ξ[ch, q] lives in a packed plane: panel q / nr, row ch, column q mod nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Offset(int q, int ch, int c, int nr) => (q / nr * c + ch) * nr + q % nr;

    /// <summary>Zeroes the columns t .. of the last panel of each of <paramref name="planes"/> packed planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ClearPadding(float[] v, int planes, int c, int t, int nr)
    {
        if (nr == 0 || t % nr == 0) return;
        int used = t % nr;
        int plane = PlaneLength(c, t, nr), last = (t / nr) * c * nr;
        for (int xi = 0; xi < planes; xi++)
            for (int ch = 0; ch < c; ch++)
                v.AsSpan(xi * plane + last + ch * nr + used, nr - used).Clear();
    }
}
