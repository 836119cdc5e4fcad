using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The weight gradient of the F(4×4, 3×3) convolution of <see cref="WinogradF4Conv"/>: <c>∂L/∂M = A·dy·Aᵀ</c> per 4×4
/// gradient tile (zero outside the output), <c>∂L/∂U_ξ = ∂L/∂M_ξ[O, T]·V_ξ[C, T]ᵀ</c> (36 GEMMs whose inner dimension
/// is the tile count) and <c>∂L/∂g = Gᵀ·∂L/∂U·G</c>: 36 multiply-adds per 16 outputs and channel pair where the
/// im2col product needs 144. Same structure as <see cref="WinogradWeightGradient"/> (F(2×2, 3×3)).
/// </summary>
/// <remarks>
/// The batch is cut into chunks of whole images and the chunks into at most
/// <see cref="WinogradWeightGradient.MaxSlices"/> contiguous slices, both fixed by the shape alone; each slice sums its
/// chunks in order into its own ∂L/∂U and the slices are added in order, so the result does not depend on the thread count.
/// </remarks>
internal static class WinogradF4WeightGradient
{
    /// <summary>Tiles per chunk (the GEMMs' inner dimension).</summary>
    internal const int TargetTiles = 128;

    [ThreadStatic] private static float[]? _plane, _taps, _tmp;
    [ThreadStatic] private static Work? _work;

    /// <summary>dw [O, C, 3, 3] (+)= the weight gradient for x [batch, C, H, W] and dy [batch, O, OH, OW].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(KernelPath path, in ConvGeometry g, int batch, int outC,
        float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, bool accumulate)
    {
        WinogradConv.Check(g, batch, outC, x.Length - xOff, dw.Length - dwOff, dy.Length - dyOff);
        int size = outC * g.Channels;
        var target = dw.AsSpan(dwOff, size * 9);
        if (batch == 0)
        {
            if (!accumulate) target.Clear();
            return;
        }
        var total = (_work ??= new Work()).Run(path, 4, 36, TargetTiles, WinogradWeightGradient.MaxSlices, g, batch, outC, x, xOff, dy, dyOff);
        for (int at = 0; at < size; at++) WinogradF4Tiles.InverseFilter(total, size, at, target.Slice(at * 9, 9), accumulate);
    }

    private sealed class Work : WinogradWeightGradientWork
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int slice)
        {
            int c = G.Channels, o = OutC, size = o * c;
            int first = (int)((long)Chunks * slice / Slices), end = (int)((long)Chunks * (slice + 1) / Slices);
            bool vector = Path != KernelPath.Scalar && Avx2.IsSupported;
            var du = Partials.AsSpan(slice * 36 * size, 36 * size);
            for (int k = first; k < end; k++)
            {
                int n0 = k * Chunk, count = Math.Min(Chunk, Batch - n0), t = count * TilesH * TilesW;
                var v = WinogradF4Conv.InputScratch(36 * c * t);
                var m = WinogradF4Conv.ProductScratch(36 * o * t);
                WinogradF4Conv.TransformInput(G, TilesH, TilesW, X, XOff, n0, count, v, vector);
                TransformGradient(n0, count, t, m, vector);
                // dU_ξ[O, C] (+)= dM_ξ[O, T]·V_ξ[C, T]ᵀ; the slice's first chunk overwrites.
                float beta = k == first ? 0f : 1f;
                for (int xi = 0; xi < 36; xi++)
                    Gemm.Sgemm(Path, false, true, o, c, t, 1f, m.AsSpan(xi * o * t, o * t), t,
                        v.AsSpan(xi * c * t, c * t), t, beta, du.Slice(xi * size, size), c, maxThreads: 1);
            }
        }

        // dM[ξ, oc, tile] = (A·dy·Aᵀ)[ξ] over the chunk's tiles: each gradient image is copied into a zero plane of
        // whole tiles, its 16 values per tile gathered into planes (8 tiles at a time by transposes with AVX2), then
        // transformed 8 tiles at a time (the last vector of an image overlapping the one before; same bits).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformGradient(int n0, int count, int t, float[] m, bool vector)
        {
            int oh = G.OutH, ow = G.OutW, tw = TilesW, k = TilesH * tw, ks = ((k + 7) & ~7) + 8, ow4 = 4 * tw;
            var plane = WinogradConv.Scratch(ref _plane, 4 * TilesH * ow4 + 40);
            var taps = WinogradConv.Scratch(ref _taps, 16 * ks);
            var tmp = WinogradConv.Scratch(ref _tmp, 24 * 8 + 36 * 8);
            plane.AsSpan(0, 4 * TilesH * ow4 + 40).Clear();
            taps.AsSpan(0, 16 * ks).Clear();
            ref float src = ref MemoryMarshal.GetArrayDataReference(plane);
            ref float tr = ref MemoryMarshal.GetArrayDataReference(taps);
            ref float scratch = ref MemoryMarshal.GetArrayDataReference(tmp);
            ref float small = ref Unsafe.Add(ref scratch, 24 * 8);
            ref float mr = ref MemoryMarshal.GetArrayDataReference(m);
            for (int oc = 0; oc < OutC; oc++)
                for (int n = 0; n < count; n++)
                {
                    var y = DY.AsSpan(DYOff + ((n0 + n) * OutC + oc) * oh * ow, oh * ow);
                    for (int oy = 0; oy < oh; oy++) y.Slice(oy * ow, ow).CopyTo(plane.AsSpan(oy * ow4, ow));
                    for (int ty = 0; ty < TilesH; ty++)
                        for (int a = 0; a < 4; a++)
                        {
                            ref float row = ref Unsafe.Add(ref src, (4 * ty + a) * ow4);
                            int lane = 4 * a * ks + ty * tw;
                            if (vector)
                                for (int tx = 0; tx < tw; tx += 8)
                                {
                                    WinogradF4Tiles.Columns4(ref row, 4 * tx, out var c0, out var c1, out var c2, out var c3);
                                    c0.StoreUnsafe(ref tr, (nuint)(lane + tx)); c1.StoreUnsafe(ref tr, (nuint)(lane + ks + tx));
                                    c2.StoreUnsafe(ref tr, (nuint)(lane + 2 * ks + tx)); c3.StoreUnsafe(ref tr, (nuint)(lane + 3 * ks + tx));
                                }
                            else
                                for (int b = 0; b < 4; b++)
                                    for (int tx = 0; tx < tw; tx++) Unsafe.Add(ref tr, lane + b * ks + tx) = Unsafe.Add(ref row, 4 * tx + b);
                        }
                    int at = oc * t + n * k;
                    if (k >= 8)
                    {
                        int p = 0;
                        for (; p + 8 <= k; p += 8) WinogradF4Tiles.Gradient8(ref tr, ks, p, ref mr, OutC * t, at + p, ref scratch);
                        if (p < k) WinogradF4Tiles.Gradient8(ref tr, ks, k - 8, ref mr, OutC * t, at + k - 8, ref scratch);
                    }
                    else
                    {
                        WinogradF4Tiles.Gradient8(ref tr, ks, 0, ref small, 8, 0, ref scratch);
                        for (int xi = 0; xi < 36; xi++) tmp.AsSpan(24 * 8 + xi * 8, k).CopyTo(m.AsSpan(xi * OutC * t + at, k));
                    }
                }
        }
    }
}
