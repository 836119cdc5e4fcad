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

    /// <summary>Images per backward GEMM (bounded so the column scratch stays a few megabytes).</summary>
    public const int BackwardChunk = 8;
    [ThreadStatic] private static ForwardWork? _forward;
    [ThreadStatic] private static BackwardWork? _backward;

    /// <summary>
    /// y[n] = W·im2col(x[n]) + bias for n in [0, batch). Arrays hold row-major data starting at the
    /// given offsets: x [batch, C, H, W], w [O, C, KH, KW], bias [O] (or null), y [batch, O, OH, OW].
    /// </summary>
    public static void Forward(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset)
    {
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
    /// </summary>
    public static void Backward(in ConvGeometry g, int batch, int outChannels,
        float[] x, int xOffset, float[] w, int wOffset, float[] dy, int dyOffset,
        float[]? dx, int dxOffset, bool accumulateDx, float[]? dw, int dwOffset, bool accumulateDw)
    {
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

        public void Execute(int n)
        {
            int r = G.PatchSize, p = G.OutPixels;
            var cols = Scratch(ref _cols, r * p).AsSpan(0, r * p);
            Im2Col.Pack(G, X.AsSpan(XOff + n * G.ImageSize, G.ImageSize), cols, p);
            var y = Y.AsSpan(YOff + n * OutC * p, OutC * p);
            Gemm.Sgemm(false, false, OutC, p, r, 1f, W.AsSpan(WOff, OutC * r), r, cols, p, 0f, y, p);
            if (Bias is null) return;
            for (int o = 0; o < OutC; o++)
            {
                var row = y.Slice(o * p, p);
                System.Numerics.Tensors.TensorPrimitives.Add(row, Bias[BiasOff + o], row);
            }
        }
    }

    private sealed class BackwardWork : IParallelWork
    {
        public ConvGeometry G;
        public int OutC, Batch, Slices, XOff, WOff, DYOff, DXOff;
        public bool AccDX;
        public float[] X = null!, W = null!, DY = null!;
        public float[]? DX, DW;
        public float[] Partials = [];

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
