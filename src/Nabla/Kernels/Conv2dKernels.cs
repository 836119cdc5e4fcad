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
/// the slices are added in slice order afterwards.
/// </remarks>
public static class Conv2dKernels
{
    [ThreadStatic] private static float[]? _cols;
    [ThreadStatic] private static float[]? _dcols;
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
        if (dw is not null && slices > 1 && work.Partials.Length < (slices - 1) * wSize)
            work.Partials = new float[(slices - 1) * wSize];
        work.G = g; work.OutC = outChannels; work.Batch = batch; work.Slices = slices;
        work.X = x; work.XOff = xOffset; work.W = w; work.WOff = wOffset; work.DY = dy; work.DYOff = dyOffset;
        work.DX = dx; work.DXOff = dxOffset; work.AccDX = accumulateDx; work.DW = dw; work.DWOff = dwOffset; work.AccDW = accumulateDw;
        try
        {
            WorkerPool.Run(work, slices);
            if (dw is not null)
            {
                var total = dw.AsSpan(dwOffset, wSize);
                for (int s = 1; s < slices; s++)
                    System.Numerics.Tensors.TensorPrimitives.Add(total, work.Partials.AsSpan((s - 1) * wSize, wSize), total);
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
        public int OutC, Batch, Slices, XOff, WOff, DYOff, DXOff, DWOff;
        public bool AccDX, AccDW;
        public float[] X = null!, W = null!, DY = null!;
        public float[]? DX, DW;
        public float[] Partials = [];

        public void Execute(int slice)
        {
            int r = G.PatchSize, p = G.OutPixels, img = G.ImageSize;
            int first = (int)((long)Batch * slice / Slices), end = (int)((long)Batch * (slice + 1) / Slices);
            var cols = Scratch(ref _cols, r * p).AsSpan(0, r * p);
            var dcols = DX is null ? default : Scratch(ref _dcols, r * p).AsSpan(0, r * p);
            var wMat = W.AsSpan(WOff, OutC * r);
            Span<float> dw = default;
            bool acc = false;
            if (DW is not null)
            {
                dw = slice == 0 ? DW.AsSpan(DWOff, OutC * r) : Partials.AsSpan((slice - 1) * OutC * r, OutC * r);
                acc = slice == 0 && AccDW;
            }
            for (int n = first; n < end; n++)
            {
                var dy = DY.AsSpan(DYOff + n * OutC * p, OutC * p);
                if (DW is not null)
                {
                    Im2Col.Pack(G, X.AsSpan(XOff + n * img, img), cols, p);
                    // dW[O, R] (+)= dY[O, P]·colsᵀ[P, R]; the first image of a slice overwrites unless accumulating.
                    Gemm.Sgemm(false, true, OutC, r, p, 1f, dy, p, cols, p, acc || n > first ? 1f : 0f, dw, r);
                }
                if (DX is not null)
                {
                    // dcols[R, P] = Wᵀ[R, O]·dY[O, P], then scatter-add into dX.
                    Gemm.Sgemm(true, false, r, p, OutC, 1f, wMat, r, dy, p, 0f, dcols, p);
                    var dx = DX.AsSpan(DXOff + n * img, img);
                    if (!AccDX) dx.Clear();
                    Im2Col.Unpack(G, dcols, p, dx);
                }
            }
            if (DW is not null && first == end && !(slice == 0 && AccDW)) dw.Clear();
        }
    }
}
