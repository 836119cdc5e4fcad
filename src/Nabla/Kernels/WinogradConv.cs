using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin &amp; Gray, 2016): each 2×2
/// output tile is <c>Y = Aᵀ[Σ_c (G·g_{o,c}·Gᵀ) ⊙ (Bᵀ·d_c·B)]A</c> over the 4×4 input tile d, so a tile costs
/// 16 multiply-adds per channel pair instead of 36. With the transforms done for a batch of tiles, the sum
/// over channels is 16 independent GEMMs <c>M_ξ[O, T] = U_ξ[O, C]·V_ξ[C, T]</c>, one per transform point ξ.
/// </summary>
/// <remarks>
/// <para>Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]], G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]],
/// Aᵀ = [[1,1,1,0],[0,1,−1,−1]].</para>
/// <para>The input gradient of a 3×3 stride-1 convolution with padding p is itself one, of dY with the
/// filters flipped and their channel axes swapped and padding 2 − p, so <c>BackwardInput</c> runs
/// the same code. The weight gradient (<c>BackwardWeight</c>) runs over the same tiles and input transform.</para>
/// <para>Images are cut into chunks of about <see cref="TargetTiles"/> tiles, a number fixed by the shape
/// alone, and the chunks are spread over <see cref="WorkerPool"/>; each output depends only on its own
/// chunk, so results do not depend on the thread count. The transforms run as vector maps over all tiles
/// of a chunk (tile-major rows), the GEMMs on one thread per chunk, scratch is thread-static and grown once.</para>
/// </remarks>
public static class WinogradConv
{
    /// <summary>
    /// Tiles per chunk (the GEMMs' n): long enough for full GEMM panels, short enough that a chunk's V and M (16·c·t and
    /// 16·o·t floats, 1 MiB each at 64 channels) stay near L2; 1,024 made them 4 MiB each (docs/benchmarks.md, session 6).
    /// </summary>
    internal const int TargetTiles = 256;

    /// <summary>Auto rule: input and output channels from which Winograd is chosen (measured, docs/benchmarks.md "Round two").</summary>
    public const int MinChannels = 16;

    /// <summary>Auto rule: output height and width from which Winograd is chosen.</summary>
    public const int MinOutSize = 6;

    [ThreadStatic] private static float[]? _u, _v, _m, _pad, _rows;
    [ThreadStatic] private static Work? _work;

    /// <summary>True for the shapes the algorithm computes: 3×3 kernel, stride 1, dilation 1, padding ≤ 2.</summary>
    public static bool Applies(in ConvGeometry g) =>
        g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.PadH <= 2 && g.PadW <= 2;

    /// <summary>
    /// The measured rule of <see cref="ConvAlgorithm.Auto"/>: Winograd applies, both channel counts are
    /// ≥ <see cref="MinChannels"/> (with fewer the GEMMs are too short to beat im2col) and the output is at
    /// least <see cref="MinOutSize"/> on each side (smaller images waste most of their edge tiles).
    /// </summary>
    public static bool Pays(in ConvGeometry g, int outChannels) =>
        Applies(g) && Math.Min(g.Channels, outChannels) >= MinChannels && Math.Min(g.OutH, g.OutW) >= MinOutSize;

    /// <summary>Whether a convolution of this shape runs its forward and both gradients by Winograd under <paramref name="algorithm"/>.</summary>
    public static bool Chosen(in ConvGeometry g, int outChannels, ConvAlgorithm algorithm) => algorithm switch
    {
        ConvAlgorithm.Direct => false,
        ConvAlgorithm.Winograd => Applies(g),
        _ => Pays(g, outChannels),
    };

    /// <summary>
    /// y[n] = conv(x[n], w) + bias: x [batch, C, H, W], w [O, C, 3, 3], bias [O] or null, y [batch, O, OH, OW]
    /// (row-major from the given offsets). Requires <see cref="Applies"/>.
    /// </summary>
    public static void Forward(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset)
        => Forward(KernelPaths.Best, g, batch, outChannels, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);

    /// <summary>
    /// Same as the public overload on a chosen kernel path; <paramref name="packed"/> false runs the products on V in
    /// the plain layout through the packing GEMM (the same bits, for tests and measurements).
    /// </summary>
    internal static void Forward(KernelPath path, in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset, bool packed = true, int targetTiles = TargetTiles)
    {
        Check(g, batch, outChannels, x.Length - xOffset, w.Length - wOffset, y.Length - yOffset);
        if (bias is not null) Guard.AtLeast(bias.Length - biasOffset, outChannels, "bias");
        var u = Scratch(ref _u, 16 * outChannels * g.Channels);
        TransformFilters(w.AsSpan(wOffset), outChannels, g.Channels, flip: false, u);
        Run(path, g, batch, outChannels, x, xOffset, u, bias, biasOffset, y, yOffset, accumulate: false, packed, targetTiles);
    }

    /// <summary>
    /// dx[n] (+)= the input gradient of <c>Forward</c> for dy [batch, O, OH, OW] and w [O, C, 3, 3]:
    /// conv(dy[n], w flipped with in/out swapped, padding 2 − p) → dx [batch, C, H, W].
    /// </summary>
    public static void BackwardInput(in ConvGeometry g, int batch, int outChannels,
        float[] w, int wOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, bool accumulate)
        => BackwardInput(KernelPaths.Best, g, batch, outChannels, w, wOffset, dy, dyOffset, dx, dxOffset, accumulate);

    /// <summary>Same as the public overload on a chosen kernel path (<paramref name="packed"/>: as in <c>Forward</c>).</summary>
    internal static void BackwardInput(KernelPath path, in ConvGeometry g, int batch, int outChannels,
        float[] w, int wOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, bool accumulate, bool packed = true, int targetTiles = TargetTiles)
    {
        Check(g, batch, outChannels, dx.Length - dxOffset, w.Length - wOffset, dy.Length - dyOffset);
        var back = new ConvGeometry(outChannels, g.OutH, g.OutW, 3, 3, 1, 1, 2 - g.PadH, 2 - g.PadW);
        var u = Scratch(ref _u, 16 * outChannels * g.Channels);
        TransformFilters(w.AsSpan(wOffset), outChannels, g.Channels, flip: true, u);
        Run(path, back, batch, g.Channels, dy, dyOffset, u, null, 0, dx, dxOffset, accumulate, packed, targetTiles);
    }

    /// <summary>
    /// dw (+)= the weight gradient of <c>Forward</c> for x [batch, C, H, W] and dy [batch, O, OH, OW]:
    /// dw[o, c] = Gᵀ·[Σ_tiles (A·dy_tile·Aᵀ) ⊙ (Bᵀ·d_tile·B)]·G → dw [O, C, 3, 3].
    /// </summary>
    public static void BackwardWeight(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] dy, int dyOffset, float[] dw, int dwOffset, bool accumulate)
        => WinogradWeightGradient.Run(KernelPaths.Best, g, batch, outChannels, x, xOffset, dy, dyOffset, dw, dwOffset, accumulate);

    internal static void Check(in ConvGeometry g, int batch, int outChannels, int xLength, int wLength, int yLength)
    {
        if (!Applies(g))
            throw new ArgumentException($"Winograd F(2x2,3x3) needs a 3x3 kernel, stride 1, dilation 1 and padding <= 2, got " +
                                        $"{g.KernelH}x{g.KernelW}, stride {g.StrideH}x{g.StrideW}, dilation {g.DilationH}x{g.DilationW}, padding {g.PadH}x{g.PadW}");
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        Guard.AtLeast(xLength, (long)batch * g.ImageSize, "x");
        Guard.AtLeast(wLength, (long)outChannels * g.PatchSize, "w");
        Guard.AtLeast(yLength, (long)batch * outChannels * g.OutPixels, "y");
    }

    // U[ξ, o', c'] = (G·g·Gᵀ)[ξ] with g = w[o', c'] (forward) or g[i, j] = w[c', o', 2 − i, 2 − j] (input gradient,
    // where o' runs over the forward's input channels and c' over its output channels).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformFilters(ReadOnlySpan<float> w, int outC, int inC, bool flip, Span<float> u)
    {
        int rows = flip ? inC : outC, cols = flip ? outC : inC, plane = rows * cols;
        Span<float> g = stackalloc float[9];
        Span<float> gg = stackalloc float[12];
        for (int o = 0; o < rows; o++)
            for (int c = 0; c < cols; c++)
            {
                if (flip)
                    for (int k = 0; k < 9; k++) g[k] = w[(c * inC + o) * 9 + 8 - k];
                else
                    w.Slice((o * inC + c) * 9, 9).CopyTo(g);
                // Gg [4, 3]: rows g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2.
                for (int j = 0; j < 3; j++)
                {
                    float a = g[j], b = g[3 + j], d = g[6 + j];
                    gg[j] = a; gg[3 + j] = 0.5f * (a + b + d); gg[6 + j] = 0.5f * (a - b + d); gg[9 + j] = d;
                }
                // (Gg)Gᵀ [4, 4], row by row.
                for (int i = 0; i < 4; i++)
                {
                    float a = gg[i * 3], b = gg[i * 3 + 1], d = gg[i * 3 + 2];
                    int at = o * cols + c;
                    u[(i * 4) * plane + at] = a;
                    u[(i * 4 + 1) * plane + at] = 0.5f * (a + b + d);
                    u[(i * 4 + 2) * plane + at] = 0.5f * (a - b + d);
                    u[(i * 4 + 3) * plane + at] = d;
                }
            }
    }

    // V[ξ, ch, tile] = (Bᵀ·d·B)[ξ] for every tile of images n0 .. n0 + count − 1 (t tiles; shared with the weight
    // gradient). Each image is copied into a zero-padded plane, whose rows are split into their even and odd columns
    // once (8 pairs at a time by AVX2 shuffles; rows of l floats, l = tilesW + 1 rounded up to 8); WinogradTiles then
    // reads the taps of neighbouring tiles as vectors: 8 at a time, then 4, the last ones as an overlapping vector
    // (same bits), or one by one. Tile row ty reads the split rows 2ty .. 2ty + 3.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransformInput(in ConvGeometry g, int tilesH, int tilesW, float[] x, int xOff,
        int n0, int count, int ch, int t, float[] v, bool vector, int nr = 0)
    {
        int h = g.Height, w = g.Width, c = g.Channels, tw = tilesW, l = (tw + 8) & ~7, ph = 2 * tilesH + 2, pw = 2 * l;
        int plane = WinogradPanels.PlaneLength(c, t, nr);
        // Only the image's interior of the padded plane is ever written, so its zero border holds for the whole call.
        var pad = Scratch(ref _pad, ph * pw);
        pad.AsSpan(0, ph * pw).Clear();
        var eo = Scratch(ref _rows, 2 * ph * l);
        ref float p = ref MemoryMarshal.GetArrayDataReference(pad);
        ref float e = ref MemoryMarshal.GetArrayDataReference(eo);
        ref float dst = ref MemoryMarshal.GetArrayDataReference(v);
        bool shuffle = vector && Avx2.IsSupported;
        int tile = 0;
        for (int n = 0; n < count; n++)
        {
            var image = x.AsSpan(xOff + (n0 + n) * g.ImageSize + ch * h * w, h * w);
            for (int iy = 0; iy < h; iy++) image.Slice(iy * w, w).CopyTo(pad.AsSpan((iy + g.PadH) * pw + g.PadW, w));
            for (int r = 0; r < ph; r++) Split(ref Unsafe.Add(ref p, r * pw), ref Unsafe.Add(ref e, 2 * r * l), l, shuffle);
            for (int ty = 0; ty < tilesH; ty++, tile += tw)
            {
                ref float rows = ref Unsafe.Add(ref e, 4 * ty * l);
                if (nr == 0)
                {
                    Tiles(ref rows, l, 0, tw, ref dst, plane, ch * t + tile, vector);
                    continue;
                }
                // Packed panels: the row's tiles in pieces that do not cross a panel edge.
                for (int tx = 0, end; tx < tw; tx = end)
                {
                    int q = tile + tx;
                    end = Math.Min(tw, tx + nr - q % nr);
                    Tiles(ref rows, l, tx, end - tx, ref dst, plane, WinogradPanels.Offset(q, ch, c, nr), vector);
                }
            }
        }
    }

    // Tiles tx .. tx + count − 1 of a tile row → V at at .. at + count − 1 of every transform plane.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles(ref float rows, int l, int tx, int count, ref float dst, int plane, int at, bool vector)
    {
        int j = 0;
        if (vector && count >= 8)
        {
            for (; j + 8 <= count; j += 8) WinogradTiles.Input8(ref rows, l, tx + j, ref dst, plane, at + j);
            if (j < count) WinogradTiles.Input8(ref rows, l, tx + count - 8, ref dst, plane, at + count - 8);
            return;
        }
        if (vector && count >= 4)
        {
            for (; j + 4 <= count; j += 4) WinogradTiles.Input4(ref rows, l, tx + j, ref dst, plane, at + j);
            if (j < count) WinogradTiles.Input4(ref rows, l, tx + count - 4, ref dst, plane, at + count - 4);
            return;
        }
        for (; j < count; j++) WinogradTiles.Input1(ref rows, l, tx + j, ref dst, plane, at + j);
    }

    // One padded row of 2l floats → its even columns (l floats at eo) and odd columns (the next l).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Split(ref float row, ref float eo, int l, bool shuffle)
    {
        if (shuffle)
        {
            for (int k = 0; k < l; k += 8)
            {
                var a = Vector256.LoadUnsafe(ref row, (nuint)(2 * k));
                var b = Vector256.LoadUnsafe(ref row, (nuint)(2 * k + 8));
                // Per 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6, then the middle 64-bit halves swapped into order.
                var even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0x88).AsDouble(), 0xD8).AsSingle();
                var odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0xDD).AsDouble(), 0xD8).AsSingle();
                even.StoreUnsafe(ref eo, (nuint)k);
                odd.StoreUnsafe(ref eo, (nuint)(l + k));
            }
            return;
        }
        for (int k = 0; k < l; k++)
        {
            Unsafe.Add(ref eo, k) = Unsafe.Add(ref row, 2 * k);
            Unsafe.Add(ref eo, l + k) = Unsafe.Add(ref row, 2 * k + 1);
        }
    }

    private static void Run(KernelPath path, in ConvGeometry g, int batch, int outC, float[] x, int xOff, float[] u,
        float[]? bias, int biasOff, float[] y, int yOff, bool accumulate, bool packed, int targetTiles)
    {
        if (batch == 0) return;
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2, perImage = tilesH * tilesW;
        int chunk = ChunkImages(perImage, targetTiles);
        var work = _work ??= new Work();
        work.Path = path; work.G = g; work.OutC = outC; work.Batch = batch; work.Chunk = chunk;
        work.TilesH = tilesH; work.TilesW = tilesW;
        work.X = x; work.XOff = xOff; work.U = u; work.Bias = bias; work.BiasOff = biasOff;
        work.Y = y; work.YOff = yOff; work.Accumulate = accumulate; work.Packed = packed;
        try { WorkerPool.Run(work, (batch + chunk - 1) / chunk); }
        finally { work.X = work.U = work.Y = null!; work.Bias = null; }
    }

    /// <summary>Images per chunk for <paramref name="perImage"/> tiles an image: a function of the shape alone.</summary>
    internal static int ChunkImages(int perImage, int targetTiles = TargetTiles) => Math.Max(1, targetTiles / perImage);

    /// <summary>This thread's transformed-input scratch V (shared with the weight gradient, which never runs inside a forward).</summary>
    internal static float[] InputScratch(int length) => Scratch(ref _v, length);

    /// <summary>This thread's transform-domain product scratch M (shared as <see cref="InputScratch"/>).</summary>
    internal static float[] ProductScratch(int length) => Scratch(ref _m, length);

    internal static float[] Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    private sealed class Work : IParallelWork
    {
        public KernelPath Path;
        public ConvGeometry G;
        public int OutC, Batch, Chunk, TilesH, TilesW, XOff, BiasOff, YOff;
        public bool Accumulate, Packed;
        public float[] X = null!, U = null!, Y = null!;
        public float[]? Bias;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index)
        {
            int n0 = index * Chunk, count = Math.Min(Chunk, Batch - n0);
            int c = G.Channels, o = OutC, t = count * TilesH * TilesW;
            bool vector = Path != KernelPath.Scalar && Avx.IsSupported;
            int nr = Packed ? WinogradPanels.Width(Path, t) : 0, plane = WinogradPanels.PlaneLength(c, t, nr);
            var v = InputScratch(16 * plane);
            var m = ProductScratch(16 * o * t);
            WinogradPanels.ClearPadding(v, 16, c, t, nr);
            for (int ch = 0; ch < c; ch++) TransformInput(G, TilesH, TilesW, X, XOff, n0, count, ch, t, v, vector, nr);
            for (int xi = 0; xi < 16; xi++)
            {
                if (nr != 0)
                    Gemm.SgemmPackedB(Path, o, t, c, U.AsSpan(xi * o * c, o * c), c, v.AsSpan(xi * plane, plane), m.AsSpan(xi * o * t, o * t), t);
                else
                    Gemm.Sgemm(Path, false, false, o, t, c, 1f, U.AsSpan(xi * o * c, o * c), c,
                        v.AsSpan(xi * c * t, c * t), t, 0f, m.AsSpan(xi * o * t, o * t), t, maxThreads: 1);
            }
            for (int oc = 0; oc < o; oc++) TransformOutput(n0, count, oc, t, m, vector);
        }

        // y tile = Aᵀ·M·A for output channel oc over the chunk's tiles, written into NCHW with the bias added (or
        // added to y when accumulating). When overwriting, the last whole tiles of a row go as one overlapping
        // vector; when accumulating, each pixel must be added once, so they go one by one.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformOutput(int n0, int count, int oc, int t, float[] m, bool vector)
        {
            int oh = G.OutH, ow = G.OutW, tw = TilesW, plane = OutC * t, whole = ow / 2;
            float bias = Bias is null ? 0f : Bias[BiasOff + oc];
            ref float src = ref MemoryMarshal.GetArrayDataReference(m);
            int tile = oc * t;
            for (int n = 0; n < count; n++)
            {
                var y = Y.AsSpan(YOff + ((n0 + n) * OutC + oc) * oh * ow, oh * ow);
                for (int ty = 0; ty < TilesH; ty++, tile += tw)
                {
                    int oy = 2 * ty;
                    bool second = oy + 1 < oh;
                    ref float row0 = ref y[oy * ow];
                    ref float row1 = ref second ? ref y[(oy + 1) * ow] : ref row0;
                    int tx = 0;
                    if (vector && whole >= 8)
                    {
                        for (; tx + 8 <= whole; tx += 8)
                            WinogradTiles.Output8(ref src, plane, tile + tx, bias, ref row0, ref row1, 2 * tx, second, Accumulate);
                        if (!Accumulate && tx < whole)
                        {
                            WinogradTiles.Output8(ref src, plane, tile + whole - 8, bias, ref row0, ref row1, 2 * (whole - 8), second, false);
                            tx = whole;
                        }
                    }
                    else if (vector && whole >= 4)
                    {
                        for (; tx + 4 <= whole; tx += 4)
                            WinogradTiles.Output4(ref src, plane, tile + tx, bias, ref row0, ref row1, 2 * tx, second, Accumulate);
                        if (!Accumulate && tx < whole)
                        {
                            WinogradTiles.Output4(ref src, plane, tile + whole - 4, bias, ref row0, ref row1, 2 * (whole - 4), second, false);
                            tx = whole;
                        }
                    }
                    for (; tx < tw; tx++)
                    {
                        WinogradTiles.Output1(ref src, plane, tile + tx, out float y00, out float y01, out float y10, out float y11);
                        int ox = 2 * tx;
                        bool right = ox + 1 < ow;
                        if (Accumulate)
                        {
                            Unsafe.Add(ref row0, ox) += y00 + bias;
                            if (right) Unsafe.Add(ref row0, ox + 1) += y01 + bias;
                            if (second) { Unsafe.Add(ref row1, ox) += y10 + bias; if (right) Unsafe.Add(ref row1, ox + 1) += y11 + bias; }
                        }
                        else
                        {
                            Unsafe.Add(ref row0, ox) = y00 + bias;
                            if (right) Unsafe.Add(ref row0, ox + 1) = y01 + bias;
                            if (second) { Unsafe.Add(ref row1, ox) = y10 + bias; if (right) Unsafe.Add(ref row1, ox + 1) = y11 + bias; }
                        }
                    }
                }
            }
        }
    }
}
