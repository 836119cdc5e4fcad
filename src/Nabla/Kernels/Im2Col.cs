using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The column (im2col) layout that turns a convolution into one matrix product, and its adjoint
/// col2im. For one image x[C, H, W] the column matrix has C·KH·KW rows and OH·OW columns:
/// <c>cols[(c·KH + i)·KW + j, oy·OW + ox] = x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]</c>,
/// zero where the index falls in the padding. Then <c>y[o, p] = Σᵣ W[o, r]·cols[r, p]</c>.
/// </summary>
/// <remarks>
/// For each row and output row the valid output columns form one interval, computed once, so the
/// inner loop is a plain copy (a vectorized span copy when the stride is 1) with no bounds tests;
/// only the padding margins are cleared. <c>ldc</c> lets several images share one wide column
/// matrix (image <c>b</c> at column offset <c>b·OH·OW</c>).
/// </remarks>
public static class Im2Col
{
    /// <summary>Fills <paramref name="cols"/> (row stride <paramref name="ldc"/> ≥ OH·OW) from one image <paramref name="image"/> [C, H, W].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(in ConvGeometry g, ReadOnlySpan<float> image, Span<float> cols, int ldc)
    {
        Check(g, image.Length, cols.Length, ldc);
        int oh = g.OutH, ow = g.OutW, h = g.Height, w = g.Width;
        for (int c = 0; c < g.Channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int i = 0; i < g.KernelH; i++)
            {
                int rowOff = i * g.DilationH - g.PadH;
                for (int j = 0; j < g.KernelW; j++)
                {
                    int r = (c * g.KernelH + i) * g.KernelW + j;
                    int colOff = j * g.DilationW - g.PadW;
                    ValidRange(colOff, g.StrideW, w, ow, out int lo, out int hi);
                    var dstRow = cols.Slice(r * ldc, oh * ow);
                    for (int oy = 0; oy < oh; oy++)
                    {
                        var dst = dstRow.Slice(oy * ow, ow);
                        int iy = oy * g.StrideH + rowOff;
                        if ((uint)iy >= (uint)h || hi < lo)
                        {
                            dst.Clear();
                            continue;
                        }
                        for (int k = 0; k < lo; k++) dst[k] = 0f;
                        for (int k = hi; k < ow; k++) dst[k] = 0f;
                        var src = plane.Slice(iy * w, w);
                        if (g.StrideW == 1)
                        {
                            CopyRun(ref Unsafe.Add(ref MemoryMarshal.GetReference(src), lo + colOff),
                                ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), lo), hi - lo);
                        }
                        else
                        {
                            int sw = g.StrideW;
                            for (int ox = lo, ix = lo * sw + colOff; ox < hi; ox++, ix += sw) dst[ox] = src[ix];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Pack"/>: adds every column entry back onto the input pixel it was
    /// read from, <c>image[c, iy, ix] += cols[r, p]</c> (padding entries are dropped). The caller
    /// clears <paramref name="image"/> first when it must be overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unpack(in ConvGeometry g, ReadOnlySpan<float> cols, int ldc, Span<float> image)
    {
        Check(g, image.Length, cols.Length, ldc);
        int oh = g.OutH, ow = g.OutW, h = g.Height, w = g.Width;
        for (int c = 0; c < g.Channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int i = 0; i < g.KernelH; i++)
            {
                int rowOff = i * g.DilationH - g.PadH;
                for (int j = 0; j < g.KernelW; j++)
                {
                    int r = (c * g.KernelH + i) * g.KernelW + j;
                    int colOff = j * g.DilationW - g.PadW;
                    ValidRange(colOff, g.StrideW, w, ow, out int lo, out int hi);
                    if (hi <= lo) continue;
                    var srcRow = cols.Slice(r * ldc, oh * ow);
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = oy * g.StrideH + rowOff;
                        if ((uint)iy >= (uint)h) continue;
                        var src = srcRow.Slice(oy * ow + lo, hi - lo);
                        var dst = plane.Slice(iy * w, w);
                        if (g.StrideW == 1)
                        {
                            AddRun(ref MemoryMarshal.GetReference(src),
                                ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), lo + colOff), hi - lo);
                        }
                        else
                        {
                            int sw = g.StrideW;
                            for (int k = 0, ix = lo * sw + colOff; k < src.Length; k++, ix += sw) dst[ix] += src[k];
                        }
                    }
                }
            }
        }
    }

    // Rows of a LeNet-sized image are 5–30 floats, too short for Span.CopyTo / TensorPrimitives
    // call overhead to pay off (that overhead was most of im2col's time); 8-wide vector moves with
    // an overlapping last vector copy them in two or three instructions.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRun(ref float src, ref float dst, int length)
    {
        if (length >= 8)
        {
            int k = 0;
            for (; k <= length - 8; k += 8) Vector256.LoadUnsafe(ref src, (nuint)k).StoreUnsafe(ref dst, (nuint)k);
            if (k < length) Vector256.LoadUnsafe(ref src, (nuint)(length - 8)).StoreUnsafe(ref dst, (nuint)(length - 8));
            return;
        }
        for (int k = 0; k < length; k++) Unsafe.Add(ref dst, k) = Unsafe.Add(ref src, k);
    }

    // dst[k] += src[k]. A ragged tail is one vector overlapping the last full one, with the lanes
    // that one covers masked out of src; both are loaded before either is stored (tail first), so
    // no load waits on an overlapping store. A 14-float row costs two vector adds, not one and six scalars.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRun(ref float src, ref float dst, int length)
    {
        if (length < 8)
        {
            for (int i = 0; i < length; i++) Unsafe.Add(ref dst, i) += Unsafe.Add(ref src, i);
            return;
        }
        int last = (length / 8 - 1) * 8, k = 0;
        for (; k < last; k += 8)
            (Vector256.LoadUnsafe(ref dst, (nuint)k) + Vector256.LoadUnsafe(ref src, (nuint)k)).StoreUnsafe(ref dst, (nuint)k);
        var full = Vector256.LoadUnsafe(ref dst, (nuint)k) + Vector256.LoadUnsafe(ref src, (nuint)k);
        int t = length - 8;
        if (t > k)
        {
            var fresh = Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(t), Vector256.Create(k + 8)).AsSingle();
            (Vector256.LoadUnsafe(ref dst, (nuint)t) + (Vector256.LoadUnsafe(ref src, (nuint)t) & fresh)).StoreUnsafe(ref dst, (nuint)t);
        }
        full.StoreUnsafe(ref dst, (nuint)k);
    }

    /// <summary>The output columns [lo, hi) whose input column ox·stride + offset lies inside [0, width).</summary>
    private static void ValidRange(int offset, int stride, int width, int outW, out int lo, out int hi)
    {
        lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int last = width - 1 - offset;
        hi = last < 0 ? 0 : Math.Min(outW, last / stride + 1);
        if (lo > outW) lo = outW;
        if (hi < lo) hi = lo;
    }

    private static void Check(in ConvGeometry g, int imageLength, int colsLength, int ldc)
    {
        if (imageLength != g.ImageSize)
            throw new ArgumentException($"image span has {imageLength} elements but C·H·W = {g.Channels}·{g.Height}·{g.Width} = {g.ImageSize}");
        if (ldc < g.OutPixels) throw new ArgumentException($"column stride {ldc} is less than OH·OW = {g.OutPixels}", nameof(ldc));
        long needed = (long)(g.PatchSize - 1) * ldc + g.OutPixels;
        Guard.AtLeast(colsLength, needed, "cols");
    }
}
