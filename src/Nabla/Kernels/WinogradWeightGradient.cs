using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The weight gradient of the F(2×2, 3×3) convolution of <see cref="WinogradConv"/>. The forward computes
/// <c>M_ξ[o, tile] = Σ_c U_ξ[o, c]·V_ξ[c, tile]</c> with <c>U = G·g·Gᵀ</c> and <c>y_tile = Aᵀ·M·A</c>, so by the
/// chain rule <c>∂L/∂M = A·dy_tile·Aᵀ</c> per tile, <c>∂L/∂U_ξ = ∂L/∂M_ξ[O, T]·V_ξ[C, T]ᵀ</c> (16 GEMMs whose inner
/// dimension is the tile count) and <c>∂L/∂g = Gᵀ·∂L/∂U·G</c>: 16 multiply-adds per tile and channel pair where
/// the im2col product <c>dWᵀ = cols·dYᵀ</c> needs 36.
/// </summary>
/// <remarks>
/// <para>A = [[1,0],[1,1],[1,−1],[0,−1]], Gᵀ = [[1,½,½,0],[0,½,−½,0],[0,½,½,1]]. The tiles are the forward's,
/// including the half-outside tiles of an odd-sized output: their outside pixels get a zero gradient, so they add
/// exactly the products the direct sum has. The input transform is the forward's
/// (<see cref="WinogradConv.TransformInput"/>).</para>
/// <para>The batch is cut into chunks of whole images and the chunks into at most <see cref="MaxSlices"/> contiguous
/// slices, both fixed by the shape alone. Each slice sums its chunks in order into its own ∂L/∂U, the slices are
/// added in order at the end, so the result does not depend on how many threads ran the slices.</para>
/// </remarks>
internal static class WinogradWeightGradient
{
    /// <summary>
    /// Most slices (partial sums of 16·O·C floats each, added at the end): enough pieces to balance a few threads, few
    /// enough that the final sum stays small (26 slices of a 64→64 layer are 6.8 MB to add, ≈ 10 % of its time).
    /// </summary>
    internal const int MaxSlices = 8;

    [ThreadStatic] private static float[]? _quad;
    [ThreadStatic] private static Work? _work;

    /// <summary>
    /// Tiles per chunk. Smaller than the forward's: here the tile count is the GEMMs' inner dimension, which the GEMM
    /// cuts into blocks of a few hundred anyway, so short chunks cost little and keep V and dM nearer the cache.
    /// </summary>
    internal const int TargetTiles = 256;

    /// <summary>dw [O, C, 3, 3] (+)= the weight gradient for x [batch, C, H, W] and dy [batch, O, OH, OW].</summary>
    public static void Run(KernelPath path, in ConvGeometry g, int batch, int outC,
        float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, bool accumulate)
        => Run(path, TargetTiles, MaxSlices, g, batch, outC, x, xOff, dy, dyOff, dw, dwOff, accumulate);

    /// <summary>Same, with about <paramref name="targetTiles"/> tiles per chunk (whole images) and at most <paramref name="maxSlices"/> slices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run(KernelPath path, int targetTiles, int maxSlices, in ConvGeometry g, int batch, int outC,
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
        var total = (_work ??= new Work()).Run(path, 2, 16, targetTiles, maxSlices, g, batch, outC, x, xOff, dy, dyOff);
        InverseFilterTransform(total, size, target, accumulate);
    }

    // dw[o, c] (+)= Gᵀ·dU·G for every channel pair (at = o·C + c; dU[ξ, at] at ξ·size + at).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InverseFilterTransform(ReadOnlySpan<float> du, int size, Span<float> dw, bool accumulate)
    {
        Span<float> t = stackalloc float[12];
        for (int at = 0; at < size; at++)
        {
            // Gᵀ·dU [3, 4], column by column: rows u0 + (u1 + u2)/2, (u1 − u2)/2, (u1 + u2)/2 + u3.
            for (int j = 0; j < 4; j++)
            {
                float a = du[j * size + at], b = du[(4 + j) * size + at], c = du[(8 + j) * size + at], d = du[(12 + j) * size + at];
                float h = 0.5f * (b + c);
                t[j] = a + h; t[4 + j] = 0.5f * (b - c); t[8 + j] = h + d;
            }
            // (Gᵀ·dU)·G [3, 3], row by row, the same three combinations along the columns.
            var g = dw.Slice(at * 9, 9);
            for (int i = 0; i < 3; i++)
            {
                float a = t[i * 4], b = t[i * 4 + 1], c = t[i * 4 + 2], d = t[i * 4 + 3];
                float h = 0.5f * (b + c), g0 = a + h, g1 = 0.5f * (b - c), g2 = h + d;
                if (accumulate) { g[i * 3] += g0; g[i * 3 + 1] += g1; g[i * 3 + 2] += g2; }
                else { g[i * 3] = g0; g[i * 3 + 1] = g1; g[i * 3 + 2] = g2; }
            }
        }
    }

    private sealed class Work : WinogradWeightGradientWork
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int slice)
        {
            int c = G.Channels, o = OutC, size = o * c;
            int first = (int)((long)Chunks * slice / Slices), end = (int)((long)Chunks * (slice + 1) / Slices);
            bool vector = Path != KernelPath.Scalar && Vector256.IsHardwareAccelerated;
            var du = Partials.AsSpan(slice * 16 * size, 16 * size);
            for (int k = first; k < end; k++)
            {
                int n0 = k * Chunk, count = Math.Min(Chunk, Batch - n0), t = count * TilesH * TilesW;
                var v = WinogradConv.InputScratch(16 * c * t);
                var m = WinogradConv.ProductScratch(16 * o * t);
                for (int ch = 0; ch < c; ch++) WinogradConv.TransformInput(G, TilesH, TilesW, X, XOff, n0, count, ch, t, v, vector);
                for (int oc = 0; oc < o; oc++) TransformGradient(n0, count, oc, t, m, vector);
                // dU_ξ[O, C] (+)= dM_ξ[O, T]·V_ξ[C, T]ᵀ; the slice's first chunk overwrites.
                float beta = k == first ? 0f : 1f;
                for (int xi = 0; xi < 16; xi++)
                    Gemm.Sgemm(Path, false, true, o, c, t, 1f, m.AsSpan(xi * o * t, o * t), t,
                        v.AsSpan(xi * c * t, c * t), t, beta, du.Slice(xi * size, size), c, maxThreads: 1);
            }
        }

        // dM[ξ, oc, tile] = (A·dy·Aᵀ)[ξ] over the chunk's tiles. The 2×2 gradients (a, b; c, d) of the tiles are first
        // gathered into four planes (zero past an odd edge), so the transform is one elementwise pass: the rows of
        // A·dy are (a, b), (a + c, b + d), (a − c, b − d), (−c, −d), and each row (p, q) becomes (p, p + q, p − q, −q).
        // Vector and scalar lanes run the same float operations, so a tile's bits do not depend on its lane.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformGradient(int n0, int count, int oc, int t, float[] m, bool vector)
        {
            int oh = G.OutH, ow = G.OutW, tw = TilesW;
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
            ref float dst = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m), oc * t);
            int plane = OutC * t, i = 0;
            if (vector)
                for (; i + 8 <= t; i += 8)
                {
                    var a = Vector256.LoadUnsafe(ref q, (nuint)i);
                    var b = Vector256.LoadUnsafe(ref q, (nuint)(t + i));
                    var c = Vector256.LoadUnsafe(ref q, (nuint)(2 * t + i));
                    var d = Vector256.LoadUnsafe(ref q, (nuint)(3 * t + i));
                    Row(ref dst, 0, plane, i, a, b);
                    Row(ref dst, 1, plane, i, a + c, b + d);
                    Row(ref dst, 2, plane, i, a - c, b - d);
                    Row(ref dst, 3, plane, i, -c, -d);
                }
            for (; i < t; i++)
            {
                float a = Unsafe.Add(ref q, i), b = Unsafe.Add(ref q, t + i);
                float c = Unsafe.Add(ref q, 2 * t + i), d = Unsafe.Add(ref q, 3 * t + i);
                Row(ref dst, 0, plane, i, a, b);
                Row(ref dst, 1, plane, i, a + c, b + d);
                Row(ref dst, 2, plane, i, a - c, b - d);
                Row(ref dst, 3, plane, i, -c, -d);
            }
        }

        private static void Row(ref float m, int r, int plane, int at, Vector256<float> p, Vector256<float> q)
        {
            p.StoreUnsafe(ref m, (nuint)(4 * r * plane + at));
            (p + q).StoreUnsafe(ref m, (nuint)((4 * r + 1) * plane + at));
            (p - q).StoreUnsafe(ref m, (nuint)((4 * r + 2) * plane + at));
            (-q).StoreUnsafe(ref m, (nuint)((4 * r + 3) * plane + at));
        }

        private static void Row(ref float m, int r, int plane, int at, float p, float q)
        {
            Unsafe.Add(ref m, 4 * r * plane + at) = p;
            Unsafe.Add(ref m, (4 * r + 1) * plane + at) = p + q;
            Unsafe.Add(ref m, (4 * r + 2) * plane + at) = p - q;
            Unsafe.Add(ref m, (4 * r + 3) * plane + at) = -q;
        }
    }
}
