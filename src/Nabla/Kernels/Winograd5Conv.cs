using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// 5×5 stride-1 convolution by Winograd's minimal filtering F(2×2, 5×5) on the points 0, ±1, ±2, ∞: each 2×2 output
/// tile is <c>Y = Aᵀ[Σ_c (G·g_{o,c}·Gᵀ) ⊙ (Bᵀ·d_c·B)]A</c> over its 6×6 input tile d, 36 multiply-adds per channel pair
/// where the direct product needs 100. With the transforms done for a chunk of tiles, the sum over channels is 36 GEMMs
/// <c>M_ξ[O, T] = U_ξ[O, C]·V_ξ[C, T]</c>, one per transform point ξ.
/// </summary>
/// <remarks>
/// <para>The matrices are in <see cref="Winograd5Tiles"/> (Bᵀ, Aᵀ) and <see cref="Winograd5Filters"/> (G). The design follows
/// <see cref="WinogradConv"/>: the input gradient of a 5×5 stride-1 convolution with padding p is one of dY with the
/// filters flipped and their channel axes swapped and padding 4 − p (<c>BackwardInput</c>, same code); the weight gradient
/// (<see cref="Winograd5WeightGradient"/>) runs over the same tiles and input transform.</para>
/// <para>Images are cut into an even number of chunks of about <see cref="TargetTiles"/> tiles, fixed by the shape and
/// batch alone (so 1 and 2 threads give the same bits and two threads get equal shares), and the chunks are spread over
/// <see cref="WorkerPool"/>. The transforms run 8 tiles of a tile row at a time in AVX registers; scratch is
/// thread-static and grown once.</para>
/// </remarks>
public static class Winograd5Conv
{
    /// <summary>Tiles per chunk (the GEMMs' n): V and M of a chunk (36·(C + O)·T floats) stay a few megabytes.</summary>
    internal const int TargetTiles = 256;

    /// <summary>Auto rule: input and output channels from which Winograd is chosen (measured, docs/benchmarks.md "5×5 convolutions").</summary>
    public const int MinChannels = 16;

    /// <summary>Auto rule: output height and width from which Winograd is chosen.</summary>
    public const int MinOutSize = 4;

    [ThreadStatic] private static float[]? _u, _v, _m, _rows;
    [ThreadStatic] private static Work? _work;

    /// <summary>True for the shapes the algorithm computes: 5×5 kernel, stride 1, dilation 1, padding ≤ 4.</summary>
    public static bool Applies(in ConvGeometry g) =>
        g.KernelH == 5 && g.KernelW == 5 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.PadH <= 4 && g.PadW <= 4;

    /// <summary>
    /// The measured rule of <see cref="ConvAlgorithm.Auto"/>, for the forward and both gradients: Winograd applies, both
    /// channel counts are ≥ <see cref="MinChannels"/> (LeNet's conv1, 1→32, ran 2.6–5.5× slower by Winograd: its GEMMs
    /// have an inner dimension of 1) and the output is at least <see cref="MinOutSize"/> on each side (a 4×4 output
    /// still gained 1.3–1.7× on the forward and weight gradient and tied on the input gradient; smaller ones were not
    /// measured).
    /// </summary>
    public static bool Pays(in ConvGeometry g, int outChannels) =>
        Applies(g) && Math.Min(g.Channels, outChannels) >= MinChannels && Math.Min(g.OutH, g.OutW) >= MinOutSize;

    /// <summary>Whether a convolution of this shape runs its forward and both gradients by F(2×2, 5×5) under <paramref name="algorithm"/>.</summary>
    public static bool Chosen(in ConvGeometry g, int outChannels, ConvAlgorithm algorithm) => algorithm switch
    {
        ConvAlgorithm.Direct => false,
        ConvAlgorithm.Winograd => Applies(g),
        _ => Pays(g, outChannels),
    };

    /// <summary>
    /// y[n] = conv(x[n], w) + bias: x [batch, C, H, W], w [O, C, 5, 5], bias [O] or null, y [batch, O, OH, OW]
    /// (row-major from the given offsets). Requires <see cref="Applies"/>.
    /// </summary>
    public static void Forward(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset)
        => Forward(KernelPaths.Best, g, batch, outChannels, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);

    /// <summary>
    /// Same as the public overload on a chosen kernel path; <paramref name="packed"/> false runs the products on V in the
    /// plain layout through the packing GEMM (the same bits, for tests and measurements).
    /// </summary>
    internal static void Forward(KernelPath path, in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset, bool packed = true)
    {
        Check(g, batch, outChannels, x.Length - xOffset, w.Length - wOffset, y.Length - yOffset);
        if (bias is not null) Guard.AtLeast(bias.Length - biasOffset, outChannels, "bias");
        var u = WinogradConv.Scratch(ref _u, 36 * outChannels * g.Channels);
        Winograd5Filters.Transform(w.AsSpan(wOffset), outChannels, g.Channels, flip: false, u);
        Run(path, g, batch, outChannels, x, xOffset, u, bias, biasOffset, y, yOffset, accumulate: false, packed);
    }

    /// <summary>
    /// dx[n] (+)= the input gradient of <c>Forward</c> for dy [batch, O, OH, OW] and w [O, C, 5, 5]:
    /// conv(dy[n], w flipped with in/out swapped, padding 4 − p) → dx [batch, C, H, W].
    /// </summary>
    public static void BackwardInput(in ConvGeometry g, int batch, int outChannels,
        float[] w, int wOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, bool accumulate)
        => BackwardInput(KernelPaths.Best, g, batch, outChannels, w, wOffset, dy, dyOffset, dx, dxOffset, accumulate);

    /// <summary>Same as the public overload on a chosen kernel path (<paramref name="packed"/>: as in <c>Forward</c>).</summary>
    internal static void BackwardInput(KernelPath path, in ConvGeometry g, int batch, int outChannels,
        float[] w, int wOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, bool accumulate, bool packed = true)
    {
        Check(g, batch, outChannels, dx.Length - dxOffset, w.Length - wOffset, dy.Length - dyOffset);
        var back = new ConvGeometry(outChannels, g.OutH, g.OutW, 5, 5, 1, 1, 4 - g.PadH, 4 - g.PadW);
        var u = WinogradConv.Scratch(ref _u, 36 * outChannels * g.Channels);
        Winograd5Filters.Transform(w.AsSpan(wOffset), outChannels, g.Channels, flip: true, u);
        Run(path, back, batch, g.Channels, dy, dyOffset, u, null, 0, dx, dxOffset, accumulate, packed);
    }

    /// <summary>
    /// dw (+)= the weight gradient of <c>Forward</c> for x [batch, C, H, W] and dy [batch, O, OH, OW]:
    /// dw[o, c] = Gᵀ·[Σ_tiles (A·dy_tile·Aᵀ) ⊙ (Bᵀ·d_tile·B)]·G → dw [O, C, 5, 5].
    /// </summary>
    public static void BackwardWeight(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] dy, int dyOffset, float[] dw, int dwOffset, bool accumulate)
        => Winograd5WeightGradient.Run(KernelPaths.Best, g, batch, outChannels, x, xOffset, dy, dyOffset, dw, dwOffset, accumulate);

    internal static void Check(in ConvGeometry g, int batch, int outChannels, int xLength, int wLength, int yLength)
    {
        if (!Applies(g))
            throw new ArgumentException($"Winograd F(2x2,5x5) needs a 5x5 kernel, stride 1, dilation 1 and padding <= 4, got " +
                                        $"{g.KernelH}x{g.KernelW}, stride {g.StrideH}x{g.StrideW}, dilation {g.DilationH}x{g.DilationW}, padding {g.PadH}x{g.PadW}");
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        Guard.AtLeast(xLength, (long)batch * g.ImageSize, "x");
        Guard.AtLeast(wLength, (long)outChannels * g.PatchSize, "w");
        Guard.AtLeast(yLength, (long)batch * outChannels * g.OutPixels, "y");
    }

    /// <summary>
    /// Chunks for <paramref name="batch"/> images of <paramref name="perImage"/> tiles: about <paramref name="targetTiles"/>
    /// tiles each, an even count where there are at least two (two threads get equal shares); chunk k holds images
    /// [k·batch/chunks, (k + 1)·batch/chunks). A function of the shape and batch alone.
    /// </summary>
    internal static int Chunks(int batch, int perImage, int targetTiles)
    {
        int chunks = (int)Math.Min(batch, Math.Max(1, ((long)batch * perImage + targetTiles - 1) / targetTiles));
        if (chunks > 1 && chunks % 2 == 1 && chunks < batch) chunks++;
        return chunks;
    }

    /// <summary>Floats between V's transform points: C·T plus 8 of slack for the last 8-tile vector of the last channel.</summary>
    internal static int InputPlane(int channels, int t) => channels * t + 8;

    // V[ξ] of channel ch = (Bᵀ·d·B)[ξ] for every tile of images n0 .. n0 + count − 1 (t tiles; shared with the weight
    // gradient): with panel = 0 at ξ·plane + ch·t + tile (V_ξ [C, T] row-major), otherwise packed as Gemm.SgemmPackedB
    // reads B in panels of `panel` tiles (WinogradPanels; on the vector path a multiple of 8 and AVX2). Per image, every
    // zero-padded input row is split once into its even and odd columns (lines of s floats, zero past the image) and
    // transformed along the row for all its tiles (u: 6 lines of s floats per input row, zero for padding rows); each
    // tile row then transforms the u of its six input rows down the columns, 8 tiles at a time, a vector that crosses a
    // panel edge split in two (Winograd5Tiles.Column8Split). The last vector of a row may run past it into the next row's
    // tiles, or the next channel's (packed: its row of the panel, never the last channel's), or the slack, or the last
    // panel's padding (cleared afterwards, WinogradPanels.ClearPadding): all written later, so channels must be transformed in
    // increasing order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransformInput(in ConvGeometry g, int tilesH, int tilesW, float[] x, int xOff,
        int n0, int count, int ch, int t, float[] v, int plane, int panel, bool vector)
    {
        int h = g.Height, w = g.Width, c = g.Channels, tw = tilesW, s = (tw + 7) / 8 * 8 + 8;
        int rows = 2 * tilesH + 4, rowStride = 6 * s;
        var scratch = WinogradConv.Scratch(ref _rows, rows * rowStride + 4 * s);
        var line = scratch.AsSpan(rows * rowStride, 2 * s);
        line.Clear();
        ref float u = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref float l = ref MemoryMarshal.GetReference(line);
        ref float even = ref Unsafe.Add(ref l, 2 * s);
        ref float odd = ref Unsafe.Add(ref even, s);
        ref float dst = ref MemoryMarshal.GetArrayDataReference(v);
        bool split = vector && Avx2.IsSupported;
        int tile = 0;
        for (int n = 0; n < count; n++)
        {
            var image = x.AsSpan(xOff + (n0 + n) * g.ImageSize + ch * h * w, h * w);
            for (int r = 0; r < rows; r++)
            {
                int iy = r - g.PadH;
                ref float ur = ref Unsafe.Add(ref u, r * rowStride);
                if ((uint)iy >= (uint)h) { scratch.AsSpan(r * rowStride, rowStride).Clear(); continue; }
                image.Slice(iy * w, w).CopyTo(line[g.PadW..]);
                if (split)
                {
                    for (int k = 0; k < s; k += 8)
                    {
                        Winograd5Tiles.Split(ref l, 2 * k, out var ev, out var od);
                        ev.StoreUnsafe(ref even, (nuint)k);
                        od.StoreUnsafe(ref odd, (nuint)k);
                    }
                }
                else
                    for (int k = 0; k < s; k++)
                    {
                        Unsafe.Add(ref even, k) = line[2 * k];
                        Unsafe.Add(ref odd, k) = line[2 * k + 1];
                    }
                if (vector)
                    for (int tx = 0; tx < tw; tx += 8) Winograd5Tiles.Row8(ref even, ref odd, tx, ref ur, s);
                else
                    for (int tx = 0; tx < tw; tx++) Winograd5Tiles.Row1(ref even, ref odd, tx, ref ur, s);
            }
            for (int ty = 0; ty < tilesH; ty++, tile += tw)
            {
                ref float band = ref Unsafe.Add(ref u, 2 * ty * rowStride);
                if (vector && panel > 0)
                    for (int tx = 0; tx < tw; tx += 8)
                    {
                        // Tile a at (a − q)·C + ch·panel + q (q = a mod panel); lanes from `keep` belong to the next panel
                        // (when they are tiles at all).
                        int a = tile + tx, q = a % panel, keep = Math.Min(8, panel - q), at = (a - q) * c + ch * panel + q;
                        if (keep == 8)
                        {
                            Winograd5Tiles.Column8(ref band, rowStride, s, tx, ref dst, plane, at);
                            continue;
                        }
                        int next = a + keep < t ? (a - q + panel) * c + ch * panel : -1;
                        Winograd5Tiles.Column8Split(ref band, rowStride, s, tx, ref dst, plane, at, keep, next, ch == c - 1);
                    }
                else if (vector)
                    for (int tx = 0; tx < tw; tx += 8) Winograd5Tiles.Column8(ref band, rowStride, s, tx, ref dst, plane, ch * t + tile + tx);
                else
                    for (int tx = 0; tx < tw; tx++)
                    {
                        int a = tile + tx;
                        Winograd5Tiles.Column1(ref band, rowStride, s, tx, ref dst, plane, panel == 0 ? ch * t + a : WinogradPanels.Offset(a, ch, c, panel));
                    }
            }
        }
    }

    private static void Run(KernelPath path, in ConvGeometry g, int batch, int outC, float[] x, int xOff, float[] u,
        float[]? bias, int biasOff, float[] y, int yOff, bool accumulate, bool packed)
    {
        if (batch == 0) return;
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        var work = _work ??= new Work();
        work.Path = path; work.G = g; work.OutC = outC; work.Batch = batch;
        work.Chunks = Chunks(batch, tilesH * tilesW, TargetTiles);
        work.TilesH = tilesH; work.TilesW = tilesW;
        work.X = x; work.XOff = xOff; work.U = u; work.Bias = bias; work.BiasOff = biasOff;
        work.Y = y; work.YOff = yOff; work.Accumulate = accumulate; work.Packed = packed;
        try { WorkerPool.Run(work, work.Chunks); }
        finally { work.X = work.U = work.Y = null!; work.Bias = null; }
    }

    /// <summary>This thread's transformed-input scratch V (shared with the weight gradient, which never runs inside a forward).</summary>
    internal static float[] InputScratch(int length) => WinogradConv.Scratch(ref _v, length);

    /// <summary>This thread's transform-domain scratch M, with 8 floats of slack for the output transform's last vector.</summary>
    internal static float[] ProductScratch(int length) => WinogradConv.Scratch(ref _m, length + 8);

    private sealed class Work : IParallelWork
    {
        public KernelPath Path;
        public ConvGeometry G;
        public int OutC, Batch, Chunks, TilesH, TilesW, XOff, BiasOff, YOff;
        public bool Accumulate, Packed;
        public float[] X = null!, U = null!, Y = null!;
        public float[]? Bias;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index)
        {
            int n0 = (int)((long)Batch * index / Chunks), count = (int)((long)Batch * (index + 1) / Chunks) - n0;
            int c = G.Channels, o = OutC, t = count * TilesH * TilesW;
            bool vector = Path != KernelPath.Scalar && Avx.IsSupported;
            int panel = Packed && (!vector || Avx2.IsSupported) ? WinogradPanels.Width(Path, t) : 0;
            int vp = panel == 0 ? InputPlane(c, t) : WinogradPanels.PlaneLength(c, t, panel);
            var v = InputScratch(36 * vp);
            var m = ProductScratch(36 * o * t);
            for (int ch = 0; ch < c; ch++) TransformInput(G, TilesH, TilesW, X, XOff, n0, count, ch, t, v, vp, panel, vector);
            // M_ξ = U_ξ·V_ξ, from V's panels as they are when packed (the same k blocks, so the same bits).
            WinogradPanels.ClearPadding(v, 36, c, t, panel);
            for (int xi = 0; xi < 36; xi++)
            {
                if (panel > 0)
                    Gemm.SgemmPackedB(Path, o, t, c, U.AsSpan(xi * o * c, o * c), c, v.AsSpan(xi * vp, vp), m.AsSpan(xi * o * t, o * t), t);
                else
                    Gemm.Sgemm(Path, false, false, o, t, c, 1f, U.AsSpan(xi * o * c, o * c), c,
                        v.AsSpan(xi * vp, c * t), t, 0f, m.AsSpan(xi * o * t, o * t), t, maxThreads: 1);
            }
            for (int oc = 0; oc < o; oc++) TransformOutput(n0, count, oc, t, m, vector);
        }

        // y tile = Aᵀ·M·A for output channel oc over the chunk's tiles, written into NCHW with the bias added (or added to
        // y when accumulating). 8 tiles (16 pixels per row) at a time; a row's last group goes through a small buffer and
        // only its pixels inside the image are written.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformOutput(int n0, int count, int oc, int t, float[] m, bool vector)
        {
            int oh = G.OutH, ow = G.OutW, tw = TilesW, plane = OutC * t;
            float bias = Bias is null ? 0f : Bias[BiasOff + oc];
            ref float src = ref MemoryMarshal.GetArrayDataReference(m);
            Span<float> edge = stackalloc float[32];
            ref float edgeRef = ref MemoryMarshal.GetReference(edge);
            int tile = oc * t;
            for (int n = 0; n < count; n++)
            {
                var y = Y.AsSpan(YOff + ((n0 + n) * OutC + oc) * oh * ow, oh * ow);
                for (int ty = 0; ty < TilesH; ty++, tile += tw)
                {
                    int oy = 2 * ty;
                    bool second = oy + 1 < oh;
                    var row0 = y.Slice(oy * ow, ow);
                    var row1 = second ? y.Slice((oy + 1) * ow, ow) : row0;
                    int tx = 0;
                    if (vector)
                        for (; tx < tw; tx += 8)
                        {
                            Winograd5Tiles.Output8(ref src, plane, tile + tx, bias, out var e0, out var o0, out var e1, out var o1);
                            int ox = 2 * tx;
                            if (ox + 16 <= ow)
                            {
                                Winograd5Tiles.Write(ref row0[ox], e0, o0, Accumulate);
                                if (second) Winograd5Tiles.Write(ref row1[ox], e1, o1, Accumulate);
                                continue;
                            }
                            Winograd5Tiles.Write(ref edgeRef, e0, o0, false);
                            Winograd5Tiles.Write(ref Unsafe.Add(ref edgeRef, 16), e1, o1, false);
                            Put(edge[..(ow - ox)], row0[ox..]);
                            if (second) Put(edge.Slice(16, ow - ox), row1[ox..]);
                        }
                    for (; tx < tw; tx++)
                    {
                        Winograd5Tiles.Output1(ref src, plane, tile + tx, out float y00, out float y01, out float y10, out float y11);
                        int ox = 2 * tx;
                        bool right = ox + 1 < ow;
                        edge[0] = y00 + bias; edge[1] = y01 + bias; edge[2] = y10 + bias; edge[3] = y11 + bias;
                        Put(edge[..(right ? 2 : 1)], row0[ox..]);
                        if (second) Put(edge.Slice(2, right ? 2 : 1), row1[ox..]);
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Put(ReadOnlySpan<float> values, Span<float> row)
        {
            if (Accumulate)
                for (int i = 0; i < values.Length; i++) row[i] += values[i];
            else values.CopyTo(row);
        }
    }
}
