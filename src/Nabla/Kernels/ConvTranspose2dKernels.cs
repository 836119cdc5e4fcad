using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Transposed 2-D convolution over NCHW batches, the adjoint of <see cref="Conv2dKernels"/>'s
/// convolution, through the same column layout: per image and group, <c>cols[R, P] = Wᵀ·x</c>
/// (W viewed as <c>[in/groups, R]</c>, R = (out/groups)·KH·KW, P = H·W) and col2im scatters the
/// columns into the output. Backward per image and group: <c>dcols = im2col(dY)</c>, then
/// <c>dX = W·dcols</c> (a convolution of dY) and <c>dW += X·dcolsᵀ</c>.
/// </summary>
/// <remarks>
/// Forward spreads images over <see cref="WorkerPool"/> threads. The weight gradient is a sum over
/// images; as in <see cref="Conv2dKernels"/> the batch is cut into a fixed number of contiguous
/// slices (one per allowed thread), each summing its images in order into its own buffer, added in
/// slice order, so a thread count always gives the same bits. Scratch buffers are thread-static
/// and grow once; steady-state calls allocate nothing.
/// </remarks>
public static class ConvTranspose2dKernels
{
    [ThreadStatic] private static float[]? _cols;
    [ThreadStatic] private static float[]? _padded;
    [ThreadStatic] private static float[]? _dxPadded;
    [ThreadStatic] private static ForwardWork? _forward;
    [ThreadStatic] private static BackwardWork? _backward;

    /// <summary>
    /// y[n] = col2im(Wᵀ·x[n]) + bias for n in [0, batch). Arrays hold row-major data from the given
    /// offsets: x [batch, in, H, W], w [in, out/groups, KH, KW], bias [out] (or null), y [batch, out, OH, OW].
    /// </summary>
    public static void Forward(in ConvTransposeGeometry g, int batch,
        float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset, float[] y, int yOffset)
    {
        CheckSizes(g, batch, x.Length - xOffset, w.Length - wOffset, y.Length - yOffset);
        if (bias is not null) Guard.AtLeast(bias.Length - biasOffset, g.OutChannels, "bias");
        var work = _forward ??= new ForwardWork();
        work.G = g;
        work.X = x; work.XOff = xOffset; work.W = w; work.WOff = wOffset;
        work.Bias = bias; work.BiasOff = biasOffset; work.Y = y; work.YOff = yOffset;
        try { WorkerPool.Run(work, batch); }
        finally { work.X = work.W = work.Y = null!; work.Bias = null; }
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/> given dy [batch, out, OH, OW]: dx (+)= W·im2col(dy[n]) when
    /// <paramref name="dx"/> is not null, dw (+)= Σₙ x[n]·im2col(dy[n])ᵀ when <paramref name="dw"/> is not
    /// null. The accumulate flags choose between adding to and overwriting the targets.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in ConvTransposeGeometry g, int batch,
        float[] x, int xOffset, float[] w, int wOffset, float[] dy, int dyOffset,
        float[]? dx, int dxOffset, bool accumulateDx, float[]? dw, int dwOffset, bool accumulateDw)
    {
        CheckSizes(g, batch, x.Length - xOffset, w.Length - wOffset, dy.Length - dyOffset);
        if (dx is not null) Guard.AtLeast(dx.Length - dxOffset, (long)batch * g.InputSize, "dx");
        if (dw is not null) Guard.AtLeast(dw.Length - dwOffset, g.WeightSize, "dw");
        if (dx is null && dw is null) return;
        int slices = Math.Max(1, Math.Min(batch, WorkerPool.InsideWork ? 1 : WorkerPool.MaxThreads));
        var work = _backward ??= new BackwardWork();
        int wSize = g.WeightSize;
        if (dw is not null && work.Partials.Length < slices * wSize) work.Partials = new float[slices * wSize];
        work.G = g; work.Batch = batch; work.Slices = slices;
        work.X = x; work.XOff = xOffset; work.W = w; work.WOff = wOffset; work.DY = dy; work.DYOff = dyOffset;
        work.DX = dx; work.DXOff = dxOffset; work.AccDX = accumulateDx; work.DW = dw;
        try
        {
            WorkerPool.Run(work, slices);
            if (dw is not null)
            {
                var total = dw.AsSpan(dwOffset, wSize);
                var parts = work.Partials;
                for (int k = 0; k < wSize; k++)
                {
                    float v = accumulateDw ? total[k] : 0f;
                    for (int sl = 0; sl < slices; sl++) v += parts[sl * wSize + k];
                    total[k] = v;
                }
            }
        }
        finally { work.X = work.W = work.DY = null!; work.DX = work.DW = null; }
    }

    private static void CheckSizes(in ConvTransposeGeometry g, int batch, int xLength, int wLength, int yLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        Guard.AtLeast(xLength, (long)batch * g.InputSize, "x");
        Guard.AtLeast(wLength, g.WeightSize, "w");
        Guard.AtLeast(yLength, (long)batch * g.OutputSize, "y");
    }

    private static float[] Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    /// <summary>
    /// One group's input [inG, H, W] laid out on the inner convolution's grid [inG, H', W']: the
    /// input itself when the grids agree, else a zero-padded copy in <paramref name="scratch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<float> OnInnerGrid(in ConvTransposeGeometry g, ReadOnlySpan<float> xg, ref float[]? scratch)
    {
        if (!g.Padded) return xg;
        int h = g.Height, w = g.Width, hp = g.Inner.OutH, wp = g.Inner.OutW, c = g.InPerGroup;
        var dst = Scratch(ref scratch, c * hp * wp).AsSpan(0, c * hp * wp);
        dst.Clear();
        for (int ch = 0; ch < c; ch++)
            for (int r = 0; r < h; r++)
                xg.Slice((ch * h + r) * w, w).CopyTo(dst.Slice((ch * hp + r) * wp, w));
        return dst;
    }

    private sealed class ForwardWork : IParallelWork
    {
        public ConvTransposeGeometry G;
        public int XOff, WOff, BiasOff, YOff;
        public float[] X = null!, W = null!, Y = null!;
        public float[]? Bias;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int n)
        {
            var g = G;
            var inner = g.Inner;
            int r = inner.PatchSize, p = inner.OutPixels, cin = g.InPerGroup, cout = g.OutPerGroup, plane = g.OutH * g.OutW;
            var cols = Scratch(ref _cols, r * p).AsSpan(0, r * p);
            for (int grp = 0; grp < g.Groups; grp++)
            {
                var xg = OnInnerGrid(g, X.AsSpan(XOff + n * g.InputSize + grp * cin * g.Height * g.Width, cin * g.Height * g.Width), ref _padded);
                var wg = W.AsSpan(WOff + grp * cin * r, cin * r);
                // cols[R, P] = W_gᵀ·x_g: W_g is stored [inG, R].
                Gemm.Sgemm(true, false, r, p, cin, 1f, wg, r, xg, p, 0f, cols, p);
                var yg = Y.AsSpan(YOff + n * g.OutputSize + grp * cout * plane, cout * plane);
                if (Bias is null) yg.Clear();
                else for (int c = 0; c < cout; c++) yg.Slice(c * plane, plane).Fill(Bias[BiasOff + grp * cout + c]);
                Im2Col.Unpack(inner, cols, p, yg);
            }
        }
    }

    private sealed class BackwardWork : IParallelWork
    {
        public ConvTransposeGeometry G;
        public int Batch, Slices, XOff, WOff, DYOff, DXOff;
        public bool AccDX;
        public float[] X = null!, W = null!, DY = null!;
        public float[]? DX, DW;
        public float[] Partials = [];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int slice)
        {
            var g = G;
            var inner = g.Inner;
            int r = inner.PatchSize, p = inner.OutPixels, cin = g.InPerGroup, cout = g.OutPerGroup;
            int plane = g.OutH * g.OutW, hw = g.Height * g.Width, wSize = g.WeightSize;
            int first = (int)((long)Batch * slice / Slices), end = (int)((long)Batch * (slice + 1) / Slices);
            var cols = Scratch(ref _cols, r * p).AsSpan(0, r * p);
            var dwPart = DW is null ? default : Partials.AsSpan(slice * wSize, wSize);
            if (DW is not null) dwPart.Clear();
            for (int n = first; n < end; n++)
            {
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    Im2Col.Pack(inner, DY.AsSpan(DYOff + n * g.OutputSize + grp * cout * plane, cout * plane), cols, p);
                    var wg = W.AsSpan(WOff + grp * cin * r, cin * r);
                    if (DX is not null)
                    {
                        var dxg = DX.AsSpan(DXOff + n * g.InputSize + grp * cin * hw, cin * hw);
                        if (!g.Padded)
                        {
                            // dX_g[inG, P] (+)= W_g[inG, R]·dcols[R, P].
                            Gemm.Sgemm(false, false, cin, p, r, 1f, wg, r, cols, p, AccDX ? 1f : 0f, dxg, p);
                        }
                        else
                        {
                            var full = Scratch(ref _dxPadded, cin * p).AsSpan(0, cin * p);
                            Gemm.Sgemm(false, false, cin, p, r, 1f, wg, r, cols, p, 0f, full, p);
                            CropAdd(g, full, dxg, AccDX);
                        }
                    }
                    if (DW is not null)
                    {
                        var xg = OnInnerGrid(g, X.AsSpan(XOff + n * g.InputSize + grp * cin * hw, cin * hw), ref _padded);
                        // dW_g[inG, R] += x_g[inG, P]·dcolsᵀ.
                        Gemm.Sgemm(false, true, cin, r, p, 1f, xg, p, cols, p, 1f, dwPart.Slice(grp * cin * r, cin * r), r);
                    }
                }
            }
        }

        // The input-grid part of a gradient computed on the larger inner grid.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void CropAdd(in ConvTransposeGeometry g, ReadOnlySpan<float> full, Span<float> dx, bool accumulate)
        {
            int h = g.Height, w = g.Width, hp = g.Inner.OutH, wp = g.Inner.OutW, c = g.InPerGroup;
            for (int ch = 0; ch < c; ch++)
                for (int row = 0; row < h; row++)
                {
                    var src = full.Slice((ch * hp + row) * wp, w);
                    var dst = dx.Slice((ch * h + row) * w, w);
                    if (accumulate) Primitives.Add(dst, src, dst);
                    else src.CopyTo(dst);
                }
        }
    }
}
