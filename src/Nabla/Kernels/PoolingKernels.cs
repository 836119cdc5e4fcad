using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// Max, average and adaptive-average pooling over a stack of planes [planes, H, W] (N·C planes of
/// an NCHW batch), with their gradients. Window geometry comes from <see cref="ConvGeometry"/>
/// (its channel count is ignored: every plane is pooled on its own).
/// </summary>
public static class PoolingKernels
{
    /// <summary>
    /// y[p, oy, ox] = max over the window of x[p, oy·sh − ph + i·dh, ox·sw − pw + j·dw] (padding never
    /// wins); <paramref name="argmax"/> receives the in-plane index iy·W + ix of the first maximum in
    /// row-major window order, which is where the gradient goes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPool(in ConvGeometry g, int planes, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax) =>
        MaxPool(g, planes, x, y, argmax, Vector128.IsHardwareAccelerated ? KernelPath.Vector256 : KernelPath.Scalar);

    /// <summary><see cref="MaxPool(in ConvGeometry, int, ReadOnlySpan{float}, Span{float}, Span{int})"/> on a chosen path (tests run both); every non-scalar path runs the 4-wide vector code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaxPool(in ConvGeometry g, int planes, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, KernelPath path)
    {
        int h = g.Height, w = g.Width, oh = g.OutH, ow = g.OutW;
        Check(g, planes, x.Length, y.Length);
        Guard.AtLeast(argmax.Length, (long)planes * oh * ow, "argmax");
        bool twoByTwo = g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2
            && g.PadH == 0 && g.PadW == 0 && g.DilationH == 1 && g.DilationW == 1;
        for (int p = 0; p < planes; p++)
        {
            var src = x.Slice(p * h * w, h * w);
            var dst = y.Slice(p * oh * ow, oh * ow);
            var idx = argmax.Slice(p * oh * ow, oh * ow);
            if (twoByTwo && path != KernelPath.Scalar) MaxPool2x2Vector(src, w, oh, ow, dst, idx);
            else if (twoByTwo) MaxPool2x2(src, w, oh, ow, dst, idx);
            else MaxPoolGeneric(g, src, dst, idx);
        }
    }

    // The common 2×2/2 case: four loads and three compares per output, no window loops.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool2x2(ReadOnlySpan<float> src, int w, int oh, int ow, Span<float> dst, Span<int> idx)
    {
        for (int oy = 0; oy < oh; oy++)
        {
            int top = 2 * oy * w;
            var r0 = src.Slice(top, w);
            var r1 = src.Slice(top + w, w);
            var d = dst.Slice(oy * ow, ow);
            var id = idx.Slice(oy * ow, ow);
            for (int ox = 0; ox < ow; ox++)
            {
                int ix = 2 * ox;
                float best = r0[ix];
                int at = top + ix;
                if (r0[ix + 1] > best) { best = r0[ix + 1]; at = top + ix + 1; }
                if (r1[ix] > best) { best = r1[ix]; at = top + w + ix; }
                if (r1[ix + 1] > best) { best = r1[ix + 1]; at = top + w + ix + 1; }
                d[ox] = best;
                id[ox] = at;
            }
        }
    }

    // The 2×2/2 case on vectors: 4 outputs at a time (LeNet's pooled rows are 14 and 7 wide, so
    // 8-wide blocks measured no faster), the last block of a row overlapping the previous one,
    // rows narrower than 4 outputs left to the scalar loop. Each row of a window pair is split
    // into even and odd columns with one shuffle.
    // Ties resolve exactly as in the scalar loop: left before right, then top before bottom.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool2x2Vector(ReadOnlySpan<float> src, int w, int oh, int ow, Span<float> dst, Span<int> idx)
    {
        if (ow < 4)
        {
            MaxPool2x2(src, w, oh, ow, dst, idx);
            return;
        }
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        ref int id = ref MemoryMarshal.GetReference(idx);
        for (int oy = 0; oy < oh; oy++)
        {
            int top = 2 * oy * w;
            ref float t = ref Unsafe.Add(ref s, top);
            ref float b = ref Unsafe.Add(ref t, w);
            ref float dRow = ref Unsafe.Add(ref d, oy * ow);
            ref int iRow = ref Unsafe.Add(ref id, oy * ow);
            for (int ox = 0; ; ox += 4)
            {
                if (ox > ow - 4) ox = ow - 4;
                Block4(ref t, ref b, ox, top, w, ref dRow, ref iRow);
                if (ox == ow - 4) break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4(ref float t, ref float b, int ox, int top, int w, ref float dRow, ref int iRow)
    {
        var (tMax, tOdd) = Pairs4(ref t, 2 * ox);
        var (bMax, bOdd) = Pairs4(ref b, 2 * ox);
        var down = Vector128.GreaterThan(bMax, tMax);
        Vector128.ConditionalSelect(down, bMax, tMax).StoreUnsafe(ref dRow, (nuint)ox);
        var downI = down.AsInt32();
        var odd = Vector128.ConditionalSelect(downI, bOdd, tOdd);
        var at = Vector128.Create(top + 2 * ox) + Vector128.Create(0, 2, 4, 6)
            + (odd & Vector128<int>.One) + (downI & Vector128.Create(w));
        at.StoreUnsafe(ref iRow, (nuint)ox);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> Max, Vector128<int> OddWins) Pairs4(ref float row, int at)
    {
        var lo = Vector128.LoadUnsafe(ref row, (nuint)at);
        var hi = Vector128.LoadUnsafe(ref row, (nuint)(at + 4));
        Vector128<float> even, odd;
        if (Sse.IsSupported)
        {
            // One shufps each; the portable 64→32 narrowing below is not lowered to one instruction.
            even = Sse.Shuffle(lo, hi, 0b10_00_10_00);
            odd = Sse.Shuffle(lo, hi, 0b11_01_11_01);
        }
        else
        {
            even = Vector128.Narrow(lo.AsUInt64(), hi.AsUInt64()).AsSingle();
            odd = Vector128.Narrow(lo.AsUInt64() >>> 32, hi.AsUInt64() >>> 32).AsSingle();
        }
        var oddWins = Vector128.GreaterThan(odd, even);
        return (Vector128.ConditionalSelect(oddWins, odd, even), oddWins.AsInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPoolGeneric(in ConvGeometry g, ReadOnlySpan<float> src, Span<float> dst, Span<int> idx)
    {
        int h = g.Height, w = g.Width, ow = g.OutW;
        for (int oy = 0; oy < g.OutH; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                float best = float.NegativeInfinity;
                int at = -1;
                for (int i = 0; i < g.KernelH; i++)
                {
                    int iy = oy * g.StrideH - g.PadH + i * g.DilationH;
                    if ((uint)iy >= (uint)h) continue;
                    for (int j = 0; j < g.KernelW; j++)
                    {
                        int ix = ox * g.StrideW - g.PadW + j * g.DilationW;
                        if ((uint)ix >= (uint)w) continue;
                        float v = src[iy * w + ix];
                        if (at < 0 || v > best) { best = v; at = iy * w + ix; }
                    }
                }
                dst[oy * ow + ox] = best;
                idx[oy * ow + ox] = at;
            }
    }

    /// <summary>dx[p, argmax[p, o]] += dy[p, o]; the caller clears dx first when it must be overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPoolGrad(in ConvGeometry g, int planes, ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx)
    {
        int hw = g.Height * g.Width, ohw = g.OutPixels;
        Check(g, planes, dx.Length, dy.Length);
        for (int p = 0; p < planes; p++)
        {
            var d = dx.Slice(p * hw, hw);
            var gy = dy.Slice(p * ohw, ohw);
            var id = argmax.Slice(p * ohw, ohw);
            for (int o = 0; o < ohw; o++) d[id[o]] += gy[o];
        }
    }

    /// <summary>
    /// y = (1/D)·Σ over the window of x, zero padding; D = KH·KW when
    /// <paramref name="countIncludePad"/> (PyTorch's default), else the number of in-image taps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvgPool(in ConvGeometry g, int planes, bool countIncludePad, ReadOnlySpan<float> x, Span<float> y)
    {
        Check(g, planes, x.Length, y.Length);
        int h = g.Height, w = g.Width, ow = g.OutW, ohw = g.OutPixels;
        for (int p = 0; p < planes; p++)
        {
            var src = x.Slice(p * h * w, h * w);
            var dst = y.Slice(p * ohw, ohw);
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    Window(g, oy, ox, out int y0, out int y1, out int x0, out int x1);
                    float s = 0;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) s += src[iy * w + ix];
                    int count = countIncludePad ? g.KernelH * g.KernelW : (y1 - y0) * (x1 - x0);
                    dst[oy * ow + ox] = count == 0 ? 0f : s / count;
                }
        }
    }

    /// <summary>Gradient of <see cref="AvgPool"/>: every in-image tap gets dy/D added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvgPoolGrad(in ConvGeometry g, int planes, bool countIncludePad, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check(g, planes, dx.Length, dy.Length);
        int h = g.Height, w = g.Width, ow = g.OutW, ohw = g.OutPixels;
        for (int p = 0; p < planes; p++)
        {
            var d = dx.Slice(p * h * w, h * w);
            var gy = dy.Slice(p * ohw, ohw);
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    Window(g, oy, ox, out int y0, out int y1, out int x0, out int x1);
                    int count = countIncludePad ? g.KernelH * g.KernelW : (y1 - y0) * (x1 - x0);
                    if (count == 0) continue;
                    float share = gy[oy * ow + ox] / count;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) d[iy * w + ix] += share;
                }
        }
    }

    // Average pooling has no dilation, so the in-image part of a window is a rectangle.
    private static void Window(in ConvGeometry g, int oy, int ox, out int y0, out int y1, out int x0, out int x1)
    {
        int ys = oy * g.StrideH - g.PadH, xs = ox * g.StrideW - g.PadW;
        y0 = Math.Max(ys, 0); y1 = Math.Min(ys + g.KernelH, g.Height);
        x0 = Math.Max(xs, 0); x1 = Math.Min(xs + g.KernelW, g.Width);
    }

    /// <summary>
    /// Adaptive average pooling to [outH, outW]: output cell (i, j) averages rows
    /// ⌊i·H/outH⌋ .. ⌈(i+1)·H/outH⌉ − 1 and the columns likewise (PyTorch's rule).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdaptiveAvgPool(int planes, int height, int width, int outH, int outW, ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.AtLeast(x.Length, (long)planes * height * width, "x");
        Guard.AtLeast(y.Length, (long)planes * outH * outW, "y");
        for (int p = 0; p < planes; p++)
        {
            var src = x.Slice(p * height * width, height * width);
            for (int i = 0; i < outH; i++)
            {
                int y0 = i * height / outH, y1 = ((i + 1) * height + outH - 1) / outH;
                for (int j = 0; j < outW; j++)
                {
                    int x0 = j * width / outW, x1 = ((j + 1) * width + outW - 1) / outW;
                    double s = 0;
                    for (int iy = y0; iy < y1; iy++)
                        s += Primitives.Sum(src.Slice(iy * width + x0, x1 - x0));
                    y[(p * outH + i) * outW + j] = (float)(s / ((y1 - y0) * (x1 - x0)));
                }
            }
        }
    }

    /// <summary>Gradient of <see cref="AdaptiveAvgPool"/>: each cell's dy/count is added to its input rectangle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdaptiveAvgPoolGrad(int planes, int height, int width, int outH, int outW, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Guard.AtLeast(dx.Length, (long)planes * height * width, "dx");
        Guard.AtLeast(dy.Length, (long)planes * outH * outW, "dy");
        for (int p = 0; p < planes; p++)
        {
            var d = dx.Slice(p * height * width, height * width);
            for (int i = 0; i < outH; i++)
            {
                int y0 = i * height / outH, y1 = ((i + 1) * height + outH - 1) / outH;
                for (int j = 0; j < outW; j++)
                {
                    int x0 = j * width / outW, x1 = ((j + 1) * width + outW - 1) / outW;
                    float share = dy[(p * outH + i) * outW + j] / ((y1 - y0) * (x1 - x0));
                    for (int iy = y0; iy < y1; iy++)
                    {
                        var row = d.Slice(iy * width + x0, x1 - x0);
                        Primitives.Add(row, share, row);
                    }
                }
            }
        }
    }

    private static void Check(in ConvGeometry g, int planes, int inputLength, int outputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(planes);
        Guard.AtLeast(inputLength, (long)planes * g.Height * g.Width, "x");
        Guard.AtLeast(outputLength, (long)planes * g.OutPixels, "y");
    }
}
