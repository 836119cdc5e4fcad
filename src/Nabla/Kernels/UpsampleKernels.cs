using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Resizing of image planes <c>[planes, H, W] → [planes, OH, OW]</c> with PyTorch's index rules
/// (<c>aten/src/ATen/native/UpSample.h</c>), nearest and bilinear, and their adjoints.
/// </summary>
/// <remarks>
/// Per axis the source position of output index d uses the ratio r = 1/scale_factor when a scale
/// factor was given, else in/out (align_corners: (in − 1)/(out − 1)):
/// nearest <c>s = min(⌊d·r⌋, in − 1)</c> (d itself when out = in); bilinear
/// <c>s = d·r</c> (align_corners) or <c>max((d + ½)·r − ½, 0)</c>, blending indices ⌊s⌋ and
/// ⌊s⌋ + 1 (clamped) with weights 1 − λ and λ = s − ⌊s⌋, in float as PyTorch does. Index and
/// weight tables live in thread-static scratch grown once, so calls allocate nothing.
/// </remarks>
public static class UpsampleKernels
{
    [ThreadStatic] private static int[]? _index;
    [ThreadStatic] private static float[]? _lambda;

    /// <summary>y[p, oy, ox] = x[p, sy(oy), sx(ox)] (nearest).</summary>
    /// <param name="x">Input planes [planes, h, w].</param>
    /// <param name="y">Output planes [planes, oh, ow], overwritten.</param>
    /// <param name="planes">N·C.</param>
    /// <param name="h">Input height.</param>
    /// <param name="w">Input width.</param>
    /// <param name="oh">Output height.</param>
    /// <param name="ow">Output width.</param>
    /// <param name="scaleH">The vertical scale factor the size came from, or 0 when a size was given.</param>
    /// <param name="scaleW">The horizontal scale factor, or 0.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Nearest(ReadOnlySpan<float> x, Span<float> y, int planes, int h, int w, int oh, int ow, double scaleH, double scaleW)
    {
        Check(x.Length, y.Length, planes, h, w, oh, ow);
        var index = NearestTables(h, w, oh, ow, scaleH, scaleW);
        ReadOnlySpan<int> rows = index.AsSpan(0, oh), cols = index.AsSpan(oh, ow);
        for (int p = 0; p < planes; p++)
        {
            var src = x.Slice(p * h * w, h * w);
            var dst = y.Slice(p * oh * ow, oh * ow);
            for (int oy = 0; oy < oh; oy++)
            {
                var srcRow = src.Slice(rows[oy] * w, w);
                var dstRow = dst.Slice(oy * ow, ow);
                for (int ox = 0; ox < ow; ox++) dstRow[ox] = srcRow[cols[ox]];
            }
        }
    }

    /// <summary>The adjoint of <see cref="Nearest"/>: dx[p, sy, sx] (+)= Σ dy over the outputs that read it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NearestBackward(ReadOnlySpan<float> dy, Span<float> dx, bool accumulate, int planes, int h, int w, int oh, int ow,
        double scaleH, double scaleW)
    {
        Check(dx.Length, dy.Length, planes, h, w, oh, ow);
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        var index = NearestTables(h, w, oh, ow, scaleH, scaleW);
        ReadOnlySpan<int> rows = index.AsSpan(0, oh), cols = index.AsSpan(oh, ow);
        for (int p = 0; p < planes; p++)
        {
            var dst = dx.Slice(p * h * w, h * w);
            var src = dy.Slice(p * oh * ow, oh * ow);
            for (int oy = 0; oy < oh; oy++)
            {
                var dstRow = dst.Slice(rows[oy] * w, w);
                var srcRow = src.Slice(oy * ow, ow);
                for (int ox = 0; ox < ow; ox++) dstRow[cols[ox]] += srcRow[ox];
            }
        }
    }

    /// <summary>
    /// y[p, oy, ox] = Σ λ-weighted x at the two nearest rows and columns (bilinear), with PyTorch's
    /// <c>align_corners</c> convention. Parameters as <see cref="Nearest"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Bilinear(ReadOnlySpan<float> x, Span<float> y, int planes, int h, int w, int oh, int ow, double scaleH, double scaleW,
        bool alignCorners)
    {
        Check(x.Length, y.Length, planes, h, w, oh, ow);
        var t = LinearTables(h, w, oh, ow, scaleH, scaleW, alignCorners);
        for (int p = 0; p < planes; p++)
        {
            var src = x.Slice(p * h * w, h * w);
            var dst = y.Slice(p * oh * ow, oh * ow);
            for (int oy = 0; oy < oh; oy++)
            {
                var r0 = src.Slice(t.Index[oy] * w, w);
                var r1 = src.Slice(t.Index[oh + oy] * w, w);
                float a1 = t.Lambda[oy], a0 = 1f - a1;
                var dstRow = dst.Slice(oy * ow, ow);
                for (int ox = 0; ox < ow; ox++)
                {
                    int c0 = t.Index[2 * oh + ox], c1 = t.Index[2 * oh + ow + ox];
                    float b1 = t.Lambda[oh + ox], b0 = 1f - b1;
                    dstRow[ox] = a0 * (b0 * r0[c0] + b1 * r0[c1]) + a1 * (b0 * r1[c0] + b1 * r1[c1]);
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Bilinear"/>: each output's gradient is spread over its four sources with the same weights.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BilinearBackward(ReadOnlySpan<float> dy, Span<float> dx, bool accumulate, int planes, int h, int w, int oh, int ow,
        double scaleH, double scaleW, bool alignCorners)
    {
        Check(dx.Length, dy.Length, planes, h, w, oh, ow);
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        var t = LinearTables(h, w, oh, ow, scaleH, scaleW, alignCorners);
        for (int p = 0; p < planes; p++)
        {
            var dst = dx.Slice(p * h * w, h * w);
            var src = dy.Slice(p * oh * ow, oh * ow);
            for (int oy = 0; oy < oh; oy++)
            {
                var r0 = dst.Slice(t.Index[oy] * w, w);
                var r1 = dst.Slice(t.Index[oh + oy] * w, w);
                float a1 = t.Lambda[oy], a0 = 1f - a1;
                var srcRow = src.Slice(oy * ow, ow);
                for (int ox = 0; ox < ow; ox++)
                {
                    int c0 = t.Index[2 * oh + ox], c1 = t.Index[2 * oh + ow + ox];
                    float b1 = t.Lambda[oh + ox], b0 = 1f - b1, g = srcRow[ox];
                    r0[c0] += a0 * b0 * g;
                    r0[c1] += a0 * b1 * g;
                    r1[c0] += a1 * b0 * g;
                    r1[c1] += a1 * b1 * g;
                }
            }
        }
    }

    /// <summary>PyTorch's <c>compute_scales_value</c>: 1/scale_factor when one was given, else in/out.</summary>
    private static float Ratio(int input, int output, double scaleFactor) =>
        scaleFactor > 0 ? (float)(1.0 / scaleFactor) : (float)input / output;

    /// <summary>PyTorch's <c>nearest_idx</c>.</summary>
    private static int NearestIndex(int d, int input, int output, double scaleFactor)
    {
        if (output == input) return d;
        if (output == 2 * input) return d >> 1;
        float r = Ratio(input, output, scaleFactor);
        return Math.Min((int)MathF.Floor(d * r), input - 1);
    }

    // Rows then columns in one scratch array.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] NearestTables(int h, int w, int oh, int ow, double scaleH, double scaleW)
    {
        var index = Scratch(ref _index, oh + ow);
        for (int d = 0; d < oh; d++) index[d] = NearestIndex(d, h, oh, scaleH);
        for (int d = 0; d < ow; d++) index[oh + d] = NearestIndex(d, w, ow, scaleW);
        return index;
    }

    /// <summary>Index: first rows [oh], second rows [oh], first columns [ow], second columns [ow]; Lambda: rows [oh], columns [ow].</summary>
    private readonly ref struct Tables(int[] index, float[] lambda)
    {
        public readonly int[] Index = index;
        public readonly float[] Lambda = lambda;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tables LinearTables(int h, int w, int oh, int ow, double scaleH, double scaleW, bool alignCorners)
    {
        var index = Scratch(ref _index, 2 * (oh + ow));
        var lambda = Scratch(ref _lambda, oh + ow);
        LinearAxis(h, oh, scaleH, alignCorners, index.AsSpan(0, oh), index.AsSpan(oh, oh), lambda.AsSpan(0, oh));
        LinearAxis(w, ow, scaleW, alignCorners, index.AsSpan(2 * oh, ow), index.AsSpan(2 * oh + ow, ow), lambda.AsSpan(oh, ow));
        return new Tables(index, lambda);
    }

    /// <summary>PyTorch's <c>compute_source_index_and_lambda</c> for every output index of one axis.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LinearAxis(int input, int output, double scaleFactor, bool alignCorners, Span<int> first, Span<int> second, Span<float> lambda)
    {
        float r = alignCorners ? (output > 1 ? (float)(input - 1) / (output - 1) : 0f) : Ratio(input, output, scaleFactor);
        for (int d = 0; d < output; d++)
        {
            if (output == input)
            {
                first[d] = second[d] = d;
                lambda[d] = 0f;
                continue;
            }
            float s = alignCorners ? r * d : MathF.Max(r * (d + 0.5f) - 0.5f, 0f);
            // Clamped only for an output size that does not follow from the scale factor (PyTorch never passes one).
            int i0 = Math.Min((int)s, input - 1);
            first[d] = i0;
            second[d] = i0 + (i0 < input - 1 ? 1 : 0);
            lambda[d] = MathF.Min(MathF.Max(s - i0, 0f), 1f);
        }
    }

    private static T[] Scratch<T>(ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new T[length];
        return buffer;
    }

    private static void Check(int inputLength, int outputLength, int planes, int h, int w, int oh, int ow)
    {
        if (planes < 0 || h < 1 || w < 1 || oh < 1 || ow < 1)
            throw new ArgumentException($"sizes must be positive, got planes={planes}, {h}x{w} → {oh}x{ow}");
        Guard.AtLeast(inputLength, (long)planes * h * w, "input");
        Guard.AtLeast(outputLength, (long)planes * oh * ow, "output");
    }
}
