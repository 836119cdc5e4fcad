using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// 3×3 stride-1 convolution by Winograd's F(4×4, 3×3): each 4×4 output tile is
/// <c>Y = Aᵀ[Σ_c (G·g_{o,c}·Gᵀ) ⊙ (Bᵀ·d_c·B)]A</c> over its 6×6 input tile d, 36 multiply-adds per channel pair
/// for 16 outputs where F(2×2, 3×3) (<see cref="WinogradConv"/>) needs 64 and the direct product 144. The sum over
/// channels is 36 GEMMs <c>M_ξ[O, T] = U_ξ[O, C]·V_ξ[C, T]</c>. Transforms in <see cref="WinogradF4Tiles"/>.
/// </summary>
/// <remarks>
/// <para>The larger tile costs numerics (its transforms have coefficients up to 8 and 1/24; still within 1e-4 of the
/// direct result, relative to |y| + rms(y), on every shape tested) and edge work on sizes that are not a multiple of
/// 4, so <see cref="ConvAlgorithm.Auto"/> takes it only where it was measured faster (<see cref="Pays"/>).</para>
/// <para>Per image and channel the zero-padded image is copied into a scratch plane once, each tile's 36 taps are
/// gathered into tap planes (so 8 neighbouring tiles are one vector, whatever the image width), and the transforms
/// run over those planes; the last vector of an image overlaps the one before (same bits). Chunks of whole images,
/// ≈ <see cref="TargetTiles"/> tiles each (a function of the shape alone), are spread over <see cref="WorkerPool"/>;
/// each output depends only on its own chunk, so results do not depend on the thread count. Scratch is
/// thread-static and grown once.</para>
/// </remarks>
public static class WinogradF4Conv
{
    /// <summary>Tiles per chunk (the GEMMs' n): the 36 transform planes of a chunk should stay near L2.</summary>
    internal const int TargetTiles = 256;

    /// <summary>Auto rule: output height and width from which F(4×4, 3×3) replaces F(2×2, 3×3).</summary>
    public const int MinOutSize = 16;

    [ThreadStatic] private static float[]? _u, _v, _m, _pad, _taps, _out, _tmp;
    [ThreadStatic] private static Work? _work;

    /// <summary>
    /// The measured rule inside a Winograd choice (<see cref="WinogradConv.Chosen"/>): F(4×4, 3×3) for outputs of at
    /// least <see cref="MinOutSize"/> on each side, where its edge tiles waste little (docs/benchmarks.md "Round two").
    /// </summary>
    public static bool Pays(in ConvGeometry g) => WinogradConv.Applies(g) && Math.Min(g.OutH, g.OutW) >= MinOutSize;

    /// <summary>
    /// y[n] = conv(x[n], w) + bias: x [batch, C, H, W], w [O, C, 3, 3], bias [O] or null, y [batch, O, OH, OW]
    /// (row-major from the given offsets). Requires <see cref="WinogradConv.Applies"/>.
    /// </summary>
    public static void Forward(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset)
        => Forward(KernelPaths.Best, g, batch, outChannels, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);

    /// <summary>
    /// Same as the public overload on a chosen kernel path (for the GEMMs); <paramref name="packed"/> false runs the
    /// products on V in the plain layout through the packing GEMM (the same bits, for tests and measurements).
    /// </summary>
    internal static void Forward(KernelPath path, in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset, bool packed = true, int targetTiles = TargetTiles)
    {
        WinogradConv.Check(g, batch, outChannels, x.Length - xOffset, w.Length - wOffset, y.Length - yOffset);
        if (bias is not null) Guard.AtLeast(bias.Length - biasOffset, outChannels, "bias");
        var u = WinogradConv.Scratch(ref _u, 36 * outChannels * g.Channels);
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
        WinogradConv.Check(g, batch, outChannels, dx.Length - dxOffset, w.Length - wOffset, dy.Length - dyOffset);
        var back = new ConvGeometry(outChannels, g.OutH, g.OutW, 3, 3, 1, 1, 2 - g.PadH, 2 - g.PadW);
        var u = WinogradConv.Scratch(ref _u, 36 * outChannels * g.Channels);
        TransformFilters(w.AsSpan(wOffset), outChannels, g.Channels, flip: true, u);
        Run(path, back, batch, g.Channels, dy, dyOffset, u, null, 0, dx, dxOffset, accumulate, packed, targetTiles);
    }

    // U[ξ, o', c'] = (G·g·Gᵀ)[ξ] with g = w[o', c'] (forward) or g[i, j] = w[c', o', 2 − i, 2 − j] (input gradient).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformFilters(ReadOnlySpan<float> w, int outC, int inC, bool flip, Span<float> u)
    {
        int rows = flip ? inC : outC, cols = flip ? outC : inC, plane = rows * cols;
        Span<float> g = stackalloc float[9];
        for (int o = 0; o < rows; o++)
            for (int c = 0; c < cols; c++)
            {
                if (flip)
                    for (int k = 0; k < 9; k++) g[k] = w[(c * inC + o) * 9 + 8 - k];
                else
                    w.Slice((o * inC + c) * 9, 9).CopyTo(g);
                WinogradF4Tiles.Filter(g, u, plane, o * cols + c);
            }
    }

    private static void Run(KernelPath path, in ConvGeometry g, int batch, int outC, float[] x, int xOff, float[] u,
        float[]? bias, int biasOff, float[] y, int yOff, bool accumulate, bool packed, int targetTiles)
    {
        if (batch == 0) return;
        int tilesH = (g.OutH + 3) / 4, tilesW = (g.OutW + 3) / 4, perImage = tilesH * tilesW;
        int chunk = Math.Max(1, targetTiles / perImage);
        var work = _work ??= new Work();
        work.Path = path; work.G = g; work.OutC = outC; work.Batch = batch; work.Chunk = chunk;
        work.TilesH = tilesH; work.TilesW = tilesW;
        work.X = x; work.XOff = xOff; work.U = u; work.Bias = bias; work.BiasOff = biasOff;
        work.Y = y; work.YOff = yOff; work.Accumulate = accumulate; work.Packed = packed;
        try { WorkerPool.Run(work, (batch + chunk - 1) / chunk); }
        finally { work.X = work.U = work.Y = null!; work.Bias = null; }
    }

    /// <summary>This thread's transformed-input scratch V (shared with the weight gradient, which never runs inside a forward).</summary>
    internal static float[] InputScratch(int length) => WinogradConv.Scratch(ref _v, length);

    /// <summary>This thread's transform-domain product scratch M (shared as <see cref="InputScratch"/>).</summary>
    internal static float[] ProductScratch(int length) => WinogradConv.Scratch(ref _m, length);

    // V[ξ, ch, tile] = (Bᵀ·d·B)[ξ] for every channel and tile of images n0 .. n0 + count − 1 (t = count·k tiles, k a
    // image; shared with the weight gradient), in the plain layout (nr = 0) or as the products' packed B panels of nr
    // tiles (a multiple of 8, WinogradPanels.Width). The taps of all the chunk's tiles of a channel are gathered
    // into tap planes of the chunk's t lanes, then transformed 8 tiles at a time from lane 0: in the packed layout
    // these vectors never cross a panel edge and the last one, past t, turns the zero lanes into the panel's zero
    // padding; in the plain layout the last vector overlaps the one before (same bits).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransformInput(in ConvGeometry g, int tilesH, int tilesW, float[] x, int xOff, int n0, int count,
        float[] v, bool vector, int nr = 0)
    {
        int c = g.Channels, k = tilesH * tilesW, t = count * k, t8 = (t + 7) & ~7, ks = t8 + 8;
        int ph = 4 * tilesH + 2, pw = 4 * tilesW + 2, plane = WinogradPanels.PlaneLength(c, t, nr);
        // Slack past the planes: the vector gather reads whole blocks of 8 tiles.
        var pad = WinogradConv.Scratch(ref _pad, ph * pw + 72);
        var taps = WinogradConv.Scratch(ref _taps, 36 * ks);
        var tmp = WinogradConv.Scratch(ref _tmp, 2 * 36 * 8);
        // Only the interior of the padded plane is ever written, so the zero borders set here hold for the whole call.
        pad.AsSpan(0, ph * pw + 72).Clear();
        taps.AsSpan(0, 36 * ks).Clear();
        ref float vr = ref MemoryMarshal.GetArrayDataReference(v);
        ref float tr = ref MemoryMarshal.GetArrayDataReference(taps);
        ref float scratch = ref MemoryMarshal.GetArrayDataReference(tmp);
        ref float small = ref Unsafe.Add(ref scratch, 36 * 8);
        for (int ch = 0; ch < c; ch++)
        {
            for (int n = 0; n < count; n++)
                Gather(g, tilesH, tilesW, x.AsSpan(xOff + (n0 + n) * g.ImageSize + ch * g.Height * g.Width, g.Height * g.Width),
                    pad, pw, taps, ks, n * k, vector);
            if (nr != 0)
            {
                // The last image's vector gather may have spilled past t: those lanes become the panels' zero columns.
                if (t8 > t)
                    for (int i = 0; i < 36; i++) taps.AsSpan(i * ks + t, t8 - t).Clear();
                for (int q = 0; q < t; q += 8)
                    WinogradF4Tiles.Input8(ref tr, ks, q, ref vr, plane, WinogradPanels.Offset(q, ch, c, nr), ref scratch);
            }
            else if (t >= 8)
            {
                int q = 0;
                for (; q + 8 <= t; q += 8) WinogradF4Tiles.Input8(ref tr, ks, q, ref vr, plane, ch * t + q, ref scratch);
                if (q < t) WinogradF4Tiles.Input8(ref tr, ks, t - 8, ref vr, plane, ch * t + t - 8, ref scratch);
            }
            else
            {
                WinogradF4Tiles.Input8(ref tr, ks, 0, ref small, 8, 0, ref scratch);
                for (int xi = 0; xi < 36; xi++) tmp.AsSpan(36 * 8 + xi * 8, t).CopyTo(v.AsSpan(xi * plane + ch * t, t));
            }
        }
    }

    // The image into the interior of the zero-padded plane, then tap (i, j) of tile (ty, tx) into plane 6i + j at
    // lane first + ty·tilesW + tx: 8 tiles at a time by transposes where AVX2 is available (a block may run past the
    // row's last tile into lanes the next tile row or image overwrites, or the slack), else one by one.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gather(in ConvGeometry g, int tilesH, int tw, ReadOnlySpan<float> image, float[] pad, int pw, float[] taps, int ks,
        int first, bool vector)
    {
        int h = g.Height, w = g.Width;
        for (int iy = 0; iy < h; iy++) image.Slice(iy * w, w).CopyTo(pad.AsSpan((iy + g.PadH) * pw + g.PadW, w));
        ref float src = ref MemoryMarshal.GetArrayDataReference(pad);
        ref float dst = ref MemoryMarshal.GetArrayDataReference(taps);
        for (int ty = 0; ty < tilesH; ty++)
            for (int i = 0; i < 6; i++)
            {
                ref float row = ref Unsafe.Add(ref src, (4 * ty + i) * pw);
                int lane = 6 * i * ks + first + ty * tw;
                if (vector)
                {
                    for (int tx = 0; tx < tw; tx += 8)
                    {
                        WinogradF4Tiles.Columns4(ref row, 4 * tx, out var c0, out var c1, out var c2, out var c3);
                        c0.StoreUnsafe(ref dst, (nuint)(lane + tx)); c1.StoreUnsafe(ref dst, (nuint)(lane + ks + tx));
                        c2.StoreUnsafe(ref dst, (nuint)(lane + 2 * ks + tx)); c3.StoreUnsafe(ref dst, (nuint)(lane + 3 * ks + tx));
                        // Taps 4 and 5 of a tile are taps 0 and 1 of the next.
                        WinogradF4Tiles.Columns4(ref row, 4 * tx + 4, out var d0, out var d1, out _, out _);
                        d0.StoreUnsafe(ref dst, (nuint)(lane + 4 * ks + tx)); d1.StoreUnsafe(ref dst, (nuint)(lane + 5 * ks + tx));
                    }
                    continue;
                }
                for (int j = 0; j < 6; j++)
                {
                    ref float plane = ref Unsafe.Add(ref dst, lane + j * ks);
                    for (int tx = 0; tx < tw; tx++) Unsafe.Add(ref plane, tx) = Unsafe.Add(ref row, 4 * tx + j);
                }
            }
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
            int c = G.Channels, o = OutC, k = TilesH * TilesW, t = count * k, ks = ((k + 7) & ~7) + 8;
            bool vector = Path != KernelPath.Scalar && Avx2.IsSupported;
            int nr = Packed ? WinogradPanels.Width(Path, t) : 0, plane = WinogradPanels.PlaneLength(c, t, nr);
            var v = InputScratch(36 * plane);
            var m = ProductScratch(36 * o * t);
            WinogradPanels.ClearPadding(v, 36, c, t, nr);
            TransformInput(G, TilesH, TilesW, X, XOff, n0, count, v, vector, nr);
            var yb = WinogradConv.Scratch(ref _out, 16 * ks + 4 * TilesH * 4 * TilesW + 32);
            var tmp = WinogradConv.Scratch(ref _tmp, 2 * 36 * 8);
            ref float scratch = ref MemoryMarshal.GetArrayDataReference(tmp);
            ref float small = ref Unsafe.Add(ref scratch, 36 * 8);
            for (int xi = 0; xi < 36; xi++)
            {
                if (nr != 0)
                    Gemm.SgemmPackedB(Path, o, t, c, U.AsSpan(xi * o * c, o * c), c, v.AsSpan(xi * plane, plane), m.AsSpan(xi * o * t, o * t), t);
                else
                    Gemm.Sgemm(Path, false, false, o, t, c, 1f, U.AsSpan(xi * o * c, o * c), c,
                        v.AsSpan(xi * c * t, c * t), t, 0f, m.AsSpan(xi * o * t, o * t), t, maxThreads: 1);
            }
            ref float mr = ref MemoryMarshal.GetArrayDataReference(m);
            ref float yr = ref MemoryMarshal.GetArrayDataReference(yb);
            for (int oc = 0; oc < o; oc++)
            {
                float bias = Bias is null ? 0f : Bias[BiasOff + oc];
                for (int n = 0; n < count; n++)
                {
                    int at = oc * t + n * k;
                    if (k >= 8)
                    {
                        int p = 0;
                        for (; p + 8 <= k; p += 8) WinogradF4Tiles.Output8(ref mr, o * t, at + p, ref yr, ks, p, ref scratch);
                        if (p < k) WinogradF4Tiles.Output8(ref mr, o * t, at + k - 8, ref yr, ks, k - 8, ref scratch);
                    }
                    else
                    {
                        for (int xi = 0; xi < 36; xi++) m.AsSpan(xi * o * t + at, k).CopyTo(tmp.AsSpan(36 * 8 + xi * 8, k));
                        WinogradF4Tiles.Output8(ref small, 8, 0, ref yr, ks, 0, ref scratch);
                    }
                    Scatter(yb, ks, bias, Y.AsSpan(YOff + ((n0 + n) * o + oc) * G.OutPixels, G.OutPixels), vector);
                }
            }
        }

        // Output (a, b) of tile (ty, tx) → pixel (4ty + a, 4tx + b) when inside the image, plus the bias; added to y
        // when accumulating. With AVX2, 8 tiles at a time by transposes into a plane of whole tiles (rows of 4·tilesW;
        // a block past the row's end spills into the next row, written after it, or the slack), then row by row into y.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Scatter(float[] yb, int ks, float bias, Span<float> y, bool vector)
        {
            int oh = G.OutH, ow = G.OutW, tw = TilesW;
            if (vector)
            {
                int ow4 = 4 * tw;
                ref float src = ref MemoryMarshal.GetArrayDataReference(yb);
                ref float plane = ref Unsafe.Add(ref src, 16 * ks);
                var b = Vector256.Create(bias);
                for (int ty = 0; ty < TilesH; ty++)
                    for (int a = 0; a < 4; a++)
                    {
                        int lane = 4 * a * ks + ty * tw;
                        ref float row = ref Unsafe.Add(ref plane, (4 * ty + a) * ow4);
                        for (int tx = 0; tx < tw; tx += 8)
                            WinogradF4Tiles.StoreColumns4(Vector256.LoadUnsafe(ref src, (nuint)(lane + tx)) + b,
                                Vector256.LoadUnsafe(ref src, (nuint)(lane + ks + tx)) + b,
                                Vector256.LoadUnsafe(ref src, (nuint)(lane + 2 * ks + tx)) + b,
                                Vector256.LoadUnsafe(ref src, (nuint)(lane + 3 * ks + tx)) + b, ref row, 4 * tx);
                    }
                var whole = yb.AsSpan(16 * ks);
                for (int oy = 0; oy < oh; oy++)
                {
                    var from = whole.Slice(oy * ow4, ow);
                    var to = y.Slice(oy * ow, ow);
                    if (Accumulate) Primitives.Add(from, to, to);
                    else from.CopyTo(to);
                }
                return;
            }
            for (int ty = 0; ty < TilesH; ty++)
                for (int a = 0; a < 4 && 4 * ty + a < oh; a++)
                {
                    var row = y.Slice((4 * ty + a) * ow, ow);
                    for (int b = 0; b < 4; b++)
                    {
                        var plane = yb.AsSpan((4 * a + b) * ks + ty * tw, tw);
                        if (Accumulate)
                            for (int tx = 0, ox = b; tx < tw && ox < ow; tx++, ox += 4) row[ox] += plane[tx] + bias;
                        else
                            for (int tx = 0, ox = b; tx < tw && ox < ow; tx++, ox += 4) row[ox] = plane[tx] + bias;
                    }
                }
        }
    }
}
