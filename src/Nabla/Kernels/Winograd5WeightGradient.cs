using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The weight gradient of the F(2×2, 5×5) convolution of <see cref="Winograd5Conv"/>. The forward computes
/// <c>M_ξ[o, tile] = Σ_c U_ξ[o, c]·V_ξ[c, tile]</c> with <c>U = G·g·Gᵀ</c> and <c>y_tile = Aᵀ·M·A</c>, so
/// <c>∂L/∂M = A·dy_tile·Aᵀ</c> per tile, <c>∂L/∂U_ξ = ∂L/∂M_ξ[O, T]·V_ξ[C, T]ᵀ</c> (36 GEMMs whose inner dimension is the
/// tile count) and <c>∂L/∂g = Gᵀ·∂L/∂U·G</c>: 36 multiply-adds per tile and channel pair where im2col needs 100.
/// </summary>
/// <remarks>
/// As in <see cref="WinogradWeightGradient"/>: the tiles are the forward's (half-outside tiles of an odd-sized output get
/// a zero gradient for their outside pixels), the batch is cut into chunks of whole images and the chunks into at most
/// <see cref="MaxSlices"/> contiguous slices, both fixed by the shape alone; each slice sums its chunks in order into
/// its own ∂L/∂U and the slices are added in order, so the result does not depend on the thread count.
/// </remarks>
internal static class Winograd5WeightGradient
{
    /// <summary>Most slices (partial sums of 36·O·C floats each, added at the end); even, so two threads get equal shares.</summary>
    internal const int MaxSlices = 8;

    /// <summary>Tiles per chunk: the GEMMs' inner dimension, which the GEMM blocks anyway; short keeps V and ∂L/∂M in cache.</summary>
    internal const int TargetTiles = 256;

    [ThreadStatic] private static float[]? _quad;
    [ThreadStatic] private static Work? _work;

    /// <summary>dw [O, C, 5, 5] (+)= the weight gradient for x [batch, C, H, W] and dy [batch, O, OH, OW].</summary>
    public static void Run(KernelPath path, in ConvGeometry g, int batch, int outC,
        float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, bool accumulate)
        => Run(path, TargetTiles, MaxSlices, g, batch, outC, x, xOff, dy, dyOff, dw, dwOff, accumulate);

    /// <summary>Same, with about <paramref name="targetTiles"/> tiles per chunk (whole images) and at most <paramref name="maxSlices"/> slices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run(KernelPath path, int targetTiles, int maxSlices, in ConvGeometry g, int batch, int outC,
        float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, bool accumulate)
    {
        Winograd5Conv.Check(g, batch, outC, x.Length - xOff, dw.Length - dwOff, dy.Length - dyOff);
        int size = outC * g.Channels;
        var target = dw.AsSpan(dwOff, size * 25);
        if (batch == 0)
        {
            if (!accumulate) target.Clear();
            return;
        }
        var total = (_work ??= new Work()).Run(path, 2, 36, targetTiles, maxSlices, g, batch, outC, x, xOff, dy, dyOff);
        Winograd5Filters.Inverse(total, size, target, accumulate);
    }

    private sealed class Work : WinogradWeightGradientWork
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int slice)
        {
            int c = G.Channels, o = OutC, size = o * c;
            int first = (int)((long)Chunks * slice / Slices), end = (int)((long)Chunks * (slice + 1) / Slices);
            bool vector = Path != KernelPath.Scalar && Vector256.IsHardwareAccelerated;
            var du = Partials.AsSpan(slice * 36 * size, 36 * size);
            for (int k = first; k < end; k++)
            {
                int n0 = k * Chunk, count = Math.Min(Chunk, Batch - n0), t = count * TilesH * TilesW;
                int vp = Winograd5Conv.InputPlane(c, t);
                var v = Winograd5Conv.InputScratch(36 * vp);
                int mp = Winograd5Conv.InputPlane(o, t);
                var m = Winograd5Conv.ProductScratch(36 * mp);
                for (int ch = 0; ch < c; ch++) Winograd5Conv.TransformInput(G, TilesH, TilesW, X, XOff, n0, count, ch, t, v, vp, 0, vector);
                for (int oc = 0; oc < o; oc++) TransformGradient(n0, count, oc, t, m, mp, vector);
                // dU_ξ[O, C] (+)= dM_ξ[O, T]·V_ξ[C, T]ᵀ; the slice's first chunk overwrites.
                float beta = k == first ? 0f : 1f;
                for (int xi = 0; xi < 36; xi++)
                    Gemm.Sgemm(Path, false, true, o, c, t, 1f, m.AsSpan(xi * mp, o * t), t,
                        v.AsSpan(xi * vp, c * t), t, beta, du.Slice(xi * size, size), c, maxThreads: 1);
            }
        }

        // dM[ξ, oc, tile] at ξ·plane + oc·t + tile = (A·dy·Aᵀ)[ξ] over the chunk's tiles. With AVX2 each pair of gradient rows
        // is copied into zero-padded lines and split into even and odd columns in registers, 8 tiles at a time, the last
        // vector of a row running into the next row's tiles (written later) or the plane's slack. Otherwise each tile's four
        // gradients (zero past an odd edge) are gathered into four planes and transformed one by one.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformGradient(int n0, int count, int oc, int t, float[] m, int plane, bool vector)
        {
            int oh = G.OutH, ow = G.OutW, tw = TilesW, s = (tw + 7) / 8 * 16;
            ref float dst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m), oc * t);
            if (vector && Avx2.IsSupported)
            {
                var lines = WinogradConv.Scratch(ref _quad, 2 * s);
                lines.AsSpan(0, 2 * s).Clear();
                var top = lines.AsSpan(0, s);
                var bottom = lines.AsSpan(s, s);
                ref float l0 = ref MemoryMarshal.GetArrayDataReference(lines);
                ref float l1 = ref Unsafe.Add(ref l0, s);
                int at = 0;
                for (int n = 0; n < count; n++)
                {
                    var y = DY.AsSpan(DYOff + ((n0 + n) * OutC + oc) * oh * ow, oh * ow);
                    for (int ty = 0; ty < TilesH; ty++, at += tw)
                    {
                        y.Slice(2 * ty * ow, ow).CopyTo(top);
                        if (2 * ty + 1 < oh) y.Slice((2 * ty + 1) * ow, ow).CopyTo(bottom);
                        else bottom[..ow].Clear();
                        for (int tx = 0; tx < tw; tx += 8)
                        {
                            Winograd5Tiles.Split(ref l0, 2 * tx, out var a, out var b);
                            Winograd5Tiles.Split(ref l1, 2 * tx, out var c, out var d);
                            Winograd5Tiles.Gradient8(a, b, c, d, ref dst, plane, at + tx);
                        }
                    }
                }
                return;
            }
            var quad = WinogradConv.Scratch(ref _quad, 4 * t);
            int tile = 0;
            for (int n = 0; n < count; n++)
            {
                var y = DY.AsSpan(DYOff + ((n0 + n) * OutC + oc) * oh * ow, oh * ow);
                for (int ty = 0; ty < TilesH; ty++)
                {
                    var top = y.Slice(2 * ty * ow, ow);
                    bool second = 2 * ty + 1 < oh;
                    var bottom = second ? y.Slice((2 * ty + 1) * ow, ow) : top;
                    for (int tx = 0; tx < tw; tx++, tile++)
                    {
                        int ox = 2 * tx;
                        bool right = ox + 1 < ow;
                        quad[tile] = top[ox];
                        quad[t + tile] = right ? top[ox + 1] : 0f;
                        quad[2 * t + tile] = second ? bottom[ox] : 0f;
                        quad[3 * t + tile] = second && right ? bottom[ox + 1] : 0f;
                    }
                }
            }
            ref float q = ref MemoryMarshal.GetArrayDataReference(quad);
            for (int i = 0; i < t; i++) Winograd5Tiles.Gradient1(ref q, t, i, ref dst, plane);
        }
    }
}
