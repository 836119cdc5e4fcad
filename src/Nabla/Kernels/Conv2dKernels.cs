using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// 2-D convolution over NCHW batches through <see cref="Im2Col"/> and <c>Gemm.Sgemm</c>:
/// per image, <c>Y[O, P] = W[O, R]·cols[R, P] (+ bias[o])</c> with R = C·KH·KW and P = OH·OW, so
/// the product lands directly in NCHW order. Backward per image:
/// <c>dW += dY·colsᵀ</c> and <c>dcols = Wᵀ·dY</c>, then col2im scatters dcols into dX.
/// </summary>
/// <remarks>
/// Images are spread over <see cref="WorkerPool"/> threads; each thread keeps its own column
/// scratch (thread-static, grown once), so steady-state calls allocate nothing. The weight gradient
/// is a sum over images; to keep it reproducible the batch is cut into a fixed number of contiguous
/// slices (one per allowed thread), each slice sums its images in order into its own buffer, and
/// the slices are added in slice order afterwards. Backward works on chunks of up to
/// <see cref="BackwardChunk"/> images side by side (columns [R, G·P], gradients [O, G·P]) because
/// GEMMs with a long inner or outer dimension run much faster than per-image ones; the weight
/// gradient is formed transposed, dWᵀ[R, O] = cols·dYᵀ, the faster operand order for this GEMM.
/// </remarks>
public static class Conv2dKernels
{
    [ThreadStatic] private static float[]? _cols;
    [ThreadStatic] private static float[]? _dcols;
    [ThreadStatic] private static float[]? _dyChunk;
    [ThreadStatic] private static float[]? _yT;

    /// <summary>Images per backward GEMM (bounded so the column scratch stays a few megabytes).</summary>
    public const int BackwardChunk = 8;
    [ThreadStatic] private static ForwardWork? _forward;

    /// <summary>Patch sizes C·KH·KW from which the forward GEMM runs transposed (see ForwardWork).</summary>
    internal const int TransposeMinPatch = 64;
    [ThreadStatic] private static BackwardWork? _backward;

    /// <summary>
    /// y[n] = W·im2col(x[n]) + bias for n in [0, batch). Arrays hold row-major data starting at the
    /// given offsets: x [batch, C, H, W], w [O, C, KH, KW], bias [O] (or null), y [batch, O, OH, OW].
    /// Where <see cref="WinogradConv.Chosen"/> says so for <paramref name="algorithm"/>, the product runs by Winograd
    /// instead: F(4×4, 3×3) where <see cref="WinogradF4Conv.Pays"/>, F(2×2, 3×3) elsewhere; and for 5×5 layers where
    /// <see cref="Winograd5Conv.Chosen"/> says so, by F(2×2, 5×5) (<see cref="Winograd5Conv"/>).
    /// </summary>
    public static void Forward(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset,
        ConvAlgorithm algorithm = ConvAlgorithm.Auto)
    {
        if (WinogradConv.Chosen(g, outChannels, algorithm))
        {
            if (WinogradF4Conv.Pays(g)) WinogradF4Conv.Forward(g, batch, outChannels, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);
            else WinogradConv.Forward(g, batch, outChannels, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);
            return;
        }
        if (Winograd5Conv.Chosen(g, outChannels, algorithm))
        {
            Winograd5Conv.Forward(g, batch, outChannels, x, xOffset, w, wOffset, bias, biasOffset, y, yOffset);
            return;
        }
        CheckSizes(g, batch, outChannels, x.Length - xOffset, w.Length - wOffset, y.Length - yOffset);
        if (bias is not null) Guard.AtLeast(bias.Length - biasOffset, outChannels, "bias");
        var work = _forward ??= new ForwardWork();
        work.G = g; work.OutC = outChannels;
        work.X = x; work.XOff = xOffset; work.W = w; work.WOff = wOffset;
        work.Bias = bias; work.BiasOff = biasOffset; work.Y = y; work.YOff = yOffset;
        try { WorkerPool.Run(work, batch); }
        finally { work.X = work.W = work.Y = null!; work.Bias = null; }
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/> given dy [batch, O, OH, OW]: dx[n] (+)= col2im(Wᵀ·dy[n])
    /// when <paramref name="dx"/> is not null, dw (+)= Σₙ dy[n]·im2col(x[n])ᵀ when <paramref name="dw"/>
    /// is not null. The accumulate flags choose between adding to and overwriting the targets.
    /// Where <see cref="WinogradConv.Chosen"/> says so for <paramref name="algorithm"/>, dx comes from
    /// <see cref="WinogradConv.BackwardInput(in ConvGeometry, int, int, float[], int, float[], int, float[], int, bool)"/>
    /// and dw from <see cref="WinogradConv.BackwardWeight(in ConvGeometry, int, int, float[], int, float[], int, float[], int, bool)"/>;
    /// 5×5 layers likewise through <see cref="Winograd5Conv"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[] dy, int dyOffset,
        float[]? dx, int dxOffset, bool accumulateDx, float[]? dw, int dwOffset, bool accumulateDw,
        ConvAlgorithm algorithm = ConvAlgorithm.Auto)
    {
        if (dx is not null && WinogradConv.Chosen(g, outChannels, algorithm))
        {
            if (WinogradF4Conv.Pays(g)) WinogradF4Conv.BackwardInput(g, batch, outChannels, w, wOffset, dy, dyOffset, dx, dxOffset, accumulateDx);
            else WinogradConv.BackwardInput(g, batch, outChannels, w, wOffset, dy, dyOffset, dx, dxOffset, accumulateDx);
            dx = null;
        }
        if (dw is not null && WinogradConv.Chosen(g, outChannels, algorithm))
        {
            if (WinogradF4Conv.Pays(g)) WinogradF4WeightGradient.Run(KernelPaths.Best, g, batch, outChannels, x, xOffset, dy, dyOffset, dw, dwOffset, accumulateDw);
            else WinogradConv.BackwardWeight(g, batch, outChannels, x, xOffset, dy, dyOffset, dw, dwOffset, accumulateDw);
            dw = null;
        }
        if (dx is not null && Winograd5Conv.Chosen(g, outChannels, algorithm))
        {
            Winograd5Conv.BackwardInput(g, batch, outChannels, w, wOffset, dy, dyOffset, dx, dxOffset, accumulateDx);
            dx = null;
        }
        if (dw is not null && Winograd5Conv.Chosen(g, outChannels, algorithm))
        {
            Winograd5Conv.BackwardWeight(g, batch, outChannels, x, xOffset, dy, dyOffset, dw, dwOffset, accumulateDw);
            dw = null;
        }
        CheckSizes(g, batch, outChannels, x.Length - xOffset, w.Length - wOffset, dy.Length - dyOffset);
        if (dx is not null) Guard.AtLeast(dx.Length - dxOffset, (long)batch * g.ImageSize, "dx");
        if (dw is not null) Guard.AtLeast(dw.Length - dwOffset, (long)outChannels * g.PatchSize, "dw");
        if (dx is null && dw is null) return;
        int slices = Math.Max(1, Math.Min(batch, WorkerPool.InsideWork ? 1 : WorkerPool.MaxThreads));
        var work = _backward ??= new BackwardWork();
        int wSize = outChannels * g.PatchSize;
        if (dw is not null && work.Partials.Length < slices * wSize) work.Partials = new float[slices * wSize];
        work.G = g; work.OutC = outChannels; work.Batch = batch; work.Slices = slices;
        work.X = x; work.XOff = xOffset; work.W = w; work.WOff = wOffset; work.DY = dy; work.DYOff = dyOffset;
        work.DX = dx; work.DXOff = dxOffset; work.AccDX = accumulateDx; work.DW = dw;
        try
        {
            WorkerPool.Run(work, slices);
            if (dw is not null)
            {
                // dW[o, r] (+)= Σ_s dWᵀ_s[r, o], slices in order.
                int r = g.PatchSize;
                var total = dw.AsSpan(dwOffset, wSize);
                var parts = work.Partials;
                for (int o = 0; o < outChannels; o++)
                    for (int k = 0; k < r; k++)
                    {
                        float v = accumulateDw ? total[o * r + k] : 0f;
                        for (int sl = 0; sl < slices; sl++) v += parts[sl * wSize + k * outChannels + o];
                        total[o * r + k] = v;
                    }
            }
        }
        finally { work.X = work.W = work.DY = null!; work.DX = work.DW = null; }
    }

    private static void CheckSizes(in ConvGeometry g, int batch, int outChannels, int xLength, int wLength, int yLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        Guard.AtLeast(xLength, (long)batch * g.ImageSize, "x");
        Guard.AtLeast(wLength, (long)outChannels * g.PatchSize, "w");
        Guard.AtLeast(yLength, (long)batch * outChannels * g.OutPixels, "y");
    }

    private static float[] Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    private sealed class ForwardWork : IParallelWork
    {
        public ConvGeometry G;
        public int OutC, XOff, WOff, BiasOff, YOff;
        public float[] X = null!, W = null!, Y = null!;
        public float[]? Bias;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int n)
        {
            int r = G.PatchSize, p = G.OutPixels, o = OutC;
            var cols = Scratch(ref _cols, r * p).AsSpan(0, r * p);
            Im2Col.Pack(G, X.AsSpan(XOff + n * G.ImageSize, G.ImageSize), cols, p);
            var y = Y.AsSpan(YOff + n * o * p, o * p);
            var w = W.AsSpan(WOff, o * r);
            if (r < TransposeMinPatch)
            {
                // Short patches (conv1: 1·5·5): the transpose would cost more than the GEMM gains.
                if (Bias is null) Gemm.Sgemm(false, false, o, p, r, 1f, w, r, cols, p, 0f, y, p);
                else
                {
                    for (int c = 0; c < o; c++) y.Slice(c * p, p).Fill(Bias[BiasOff + c]);
                    Gemm.Sgemm(false, false, o, p, r, 1f, w, r, cols, p, 1f, y, p);
                }
                return;
            }
            // Yᵀ[P, O] = colsᵀ·Wᵀ rather than Y = W·cols: with the pixel count as m the micro-kernel's
            // 12-row panels are full and each packed W panel serves all pixels (LeNet conv2 64×196×800:
            // 93 against 71 GFLOP/s on one Zen 4 core). The transposing write adds the bias on the way.
            var yT = Scratch(ref _yT, p * o).AsSpan(0, p * o);
            Gemm.Sgemm(true, true, p, o, r, 1f, cols, p, w, r, 0f, yT, o);
            TransposeAddBias(yT, p, o, Bias, BiasOff, y);
        }
    }

    // y[c, q] = yT[q, c] + bias[c], in 8×8 blocks: transposed in registers where AVX is available
    // (the bias added to the rows of yT before the transpose), scalar for the ragged edges.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeAddBias(ReadOnlySpan<float> yT, int p, int o, float[]? bias, int biasOff, Span<float> y)
    {
        const int B = 8;
        ref float src = ref MemoryMarshal.GetReference(yT);
        ref float dst = ref MemoryMarshal.GetReference(y);
        int fullC = Avx.IsSupported ? o / B * B : 0, fullQ = Avx.IsSupported ? p / B * B : 0;
        for (int c0 = 0; c0 < fullC; c0 += B)
        {
            var b = bias is null ? Vector256<float>.Zero : Vector256.Create(bias.AsSpan(biasOff + c0, B));
            for (int q0 = 0; q0 < fullQ; q0 += B)
                Transpose8x8(ref Unsafe.Add(ref src, q0 * o + c0), o, b, ref Unsafe.Add(ref dst, c0 * p + q0), p);
        }
        // Ragged edges: columns past fullC for all rows, and rows past fullQ for the first fullC columns.
        for (int c = 0; c < o; c++)
        {
            float b = bias is null ? 0f : bias[biasOff + c];
            int qStart = c < fullC ? fullQ : 0;
            for (int q = qStart; q < p; q++) Unsafe.Add(ref dst, c * p + q) = Unsafe.Add(ref src, q * o + c) + b;
        }
    }

    private static void Transpose8x8(ref float src, int srcStride, Vector256<float> bias, ref float dst, int dstStride)
    {
        var r0 = Vector256.LoadUnsafe(ref src) + bias;
        var r1 = Vector256.LoadUnsafe(ref src, (nuint)srcStride) + bias;
        var r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * srcStride)) + bias;
        var r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * srcStride)) + bias;
        var r4 = Vector256.LoadUnsafe(ref src, (nuint)(4 * srcStride)) + bias;
        var r5 = Vector256.LoadUnsafe(ref src, (nuint)(5 * srcStride)) + bias;
        var r6 = Vector256.LoadUnsafe(ref src, (nuint)(6 * srcStride)) + bias;
        var r7 = Vector256.LoadUnsafe(ref src, (nuint)(7 * srcStride)) + bias;
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref dst, (nuint)dstStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref dst, (nuint)(2 * dstStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref dst, (nuint)(3 * dstStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref dst, (nuint)(4 * dstStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref dst, (nuint)(5 * dstStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref dst, (nuint)(6 * dstStride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref dst, (nuint)(7 * dstStride));
    }

    private sealed class BackwardWork : IParallelWork
    {
        public ConvGeometry G;
        public int OutC, Batch, Slices, XOff, WOff, DYOff, DXOff;
        public bool AccDX;
        public float[] X = null!, W = null!, DY = null!;
        public float[]? DX, DW;
        public float[] Partials = [];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int slice)
        {
            int r = G.PatchSize, p = G.OutPixels, img = G.ImageSize;
            int first = (int)((long)Batch * slice / Slices), end = (int)((long)Batch * (slice + 1) / Slices);
            int width = BackwardChunk * p;
            var cols = DW is null ? default : Scratch(ref _cols, r * width);
            var dcols = DX is null ? default : Scratch(ref _dcols, r * width);
            var dyc = Scratch(ref _dyChunk, OutC * width);
            var wMat = W.AsSpan(WOff, OutC * r);
            var dwT = DW is null ? default : Partials.AsSpan(slice * OutC * r, OutC * r);
            if (DW is not null) dwT.Clear();
            for (int n0 = first; n0 < end; n0 += BackwardChunk)
            {
                int count = Math.Min(BackwardChunk, end - n0), cw = count * p;
                // Gather dY of the chunk into [O, count·P] so one GEMM covers all its images.
                for (int b = 0; b < count; b++)
                    for (int o = 0; o < OutC; o++)
                        DY.AsSpan(DYOff + ((n0 + b) * OutC + o) * p, p).CopyTo(dyc.AsSpan(o * cw + b * p, p));
                var dyChunk = dyc.AsSpan(0, OutC * cw);
                if (DW is not null)
                {
                    for (int b = 0; b < count; b++)
                        Im2Col.Pack(G, X.AsSpan(XOff + (n0 + b) * img, img), cols.AsSpan(b * p, (r - 1) * cw + p), cw);
                    // dWᵀ[R, O] += cols[R, count·P]·dYcᵀ.
                    Gemm.Sgemm(false, true, r, OutC, cw, 1f, cols.AsSpan(0, r * cw), cw, dyChunk, cw, 1f, dwT, OutC);
                }
                if (DX is not null)
                {
                    // dcols[R, count·P] = Wᵀ[R, O]·dYc, then scatter-add each image's columns into dX.
                    Gemm.Sgemm(true, false, r, cw, OutC, 1f, wMat, r, dyChunk, cw, 0f, dcols.AsSpan(0, r * cw), cw);
                    for (int b = 0; b < count; b++)
                    {
                        var dx = DX.AsSpan(DXOff + (n0 + b) * img, img);
                        if (!AccDX) dx.Clear();
                        Im2Col.Unpack(G, dcols.AsSpan(b * p, (r - 1) * cw + p), cw, dx);
                    }
                }
            }
        }
    }
}
