using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Reductions over a whole span and along one axis of a row-major [outer, axis, inner] view
/// (e.g. reducing axis 1 of a [B, C, H·W] tensor: outer = B, axis = C, inner = H·W).
/// </summary>
public static class Reductions
{
    // Chunk of the inner dimension ArgMaxAxis tracks on the stack, so it allocates nothing.
    private const int InnerChunk = 256;

    /// <summary>Σ x[i], accumulated in double so a million floats sum to within float rounding of the exact result.</summary>
    /// <remarks>
    /// <see cref="TensorPrimitives.Sum(ReadOnlySpan{float})"/> keeps float lane sums, whose error
    /// grows with the length; widening to double costs little against memory bandwidth.
    /// </remarks>
    /// <param name="x">Input.</param>
    /// <returns>The sum rounded to float; 0 for an empty span.</returns>
    public static float Sum(ReadOnlySpan<float> x) => (float)SumAsDouble(x, KernelPaths.Best);

    /// <summary>Σ x[i]², each square exact and accumulated in double.</summary>
    /// <param name="x">Input.</param>
    /// <returns>The sum of squares rounded to float; 0 for an empty span.</returns>
    public static float SumOfSquares(ReadOnlySpan<float> x) => (float)SumOfSquaresAsDouble(x, KernelPaths.Best);

    internal static double SumAsDouble(ReadOnlySpan<float> x, KernelPath path) => Accumulate<IdentityD>(x, path);

    internal static double SumOfSquaresAsDouble(ReadOnlySpan<float> x, KernelPath path) => Accumulate<SquareD>(x, path);

    /// <summary>dst[o, j] = Σₖ src[o, k, j] (or dst[o, j] += … when <paramref name="accumulate"/>).</summary>
    /// <param name="src">Input viewed as [outer, axisLen, inner].</param>
    /// <param name="outer">Product of the dimensions before the reduced axis.</param>
    /// <param name="axisLen">Length of the reduced axis; 0 gives sums of 0.</param>
    /// <param name="inner">Product of the dimensions after the reduced axis.</param>
    /// <param name="dst">Output viewed as [outer, inner].</param>
    /// <param name="accumulate">True to add into <paramref name="dst"/> instead of overwriting it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumAxis(ReadOnlySpan<float> src, int outer, int axisLen, int inner, Span<float> dst, bool accumulate = false)
    {
        Guard.Shape3(src.Length, outer, axisLen, inner, nameof(src));
        Guard.Exactly(dst.Length, nameof(dst), outer, inner);
        if (inner == 1)
        {
            // Reducing contiguous rows: use the double-accumulating sum for accuracy.
            for (int o = 0; o < outer; o++)
            {
                float s = (float)SumAsDouble(src.Slice(o * axisLen, axisLen), KernelPaths.Best);
                dst[o] = accumulate ? dst[o] + s : s;
            }

            return;
        }

        for (int o = 0; o < outer; o++)
        {
            Span<float> d = dst.Slice(o * inner, inner);
            ReadOnlySpan<float> block = src.Slice(o * axisLen * inner, axisLen * inner);
            if (!accumulate)
            {
                d.Clear();
            }

            for (int k = 0; k < axisLen; k++)
            {
                Primitives.Add(d, block.Slice(k * inner, inner), d);
            }
        }
    }

    /// <summary>
    /// dst[o, j] = maxₖ src[o, k, j] and indices[o, j] = the first k attaining it. A NaN counts as
    /// the maximum (the first NaN wins), like <see cref="TensorPrimitives.Max(ReadOnlySpan{float})"/> and torch.max.
    /// </summary>
    /// <param name="src">Input viewed as [outer, axisLen, inner].</param>
    /// <param name="outer">Product of the dimensions before the reduced axis.</param>
    /// <param name="axisLen">Length of the reduced axis, at least 1 unless the output is empty.</param>
    /// <param name="inner">Product of the dimensions after the reduced axis.</param>
    /// <param name="dst">Maximum values, viewed as [outer, inner].</param>
    /// <param name="indices">Arg-max positions along the axis, viewed as [outer, inner].</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxAxis(ReadOnlySpan<float> src, int outer, int axisLen, int inner, Span<float> dst, Span<int> indices)
    {
        Guard.Exactly(dst.Length, nameof(dst), outer, inner);
        CheckArgMax(src, outer, axisLen, inner, indices);
        for (int o = 0; o < outer; o++)
        {
            MaxBlock(src.Slice(o * axisLen * inner, axisLen * inner), axisLen, inner, dst.Slice(o * inner, inner), indices.Slice(o * inner, inner));
        }
    }

    /// <summary>indices[o, j] = the first k maximizing src[o, k, j] (a NaN counts as the maximum).</summary>
    /// <param name="src">Input viewed as [outer, axisLen, inner].</param>
    /// <param name="outer">Product of the dimensions before the reduced axis.</param>
    /// <param name="axisLen">Length of the reduced axis, at least 1 unless the output is empty.</param>
    /// <param name="inner">Product of the dimensions after the reduced axis.</param>
    /// <param name="indices">Arg-max positions along the axis, viewed as [outer, inner].</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgMaxAxis(ReadOnlySpan<float> src, int outer, int axisLen, int inner, Span<int> indices)
    {
        CheckArgMax(src, outer, axisLen, inner, indices);
        Span<float> best = stackalloc float[InnerChunk];
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> block = src.Slice(o * axisLen * inner, axisLen * inner);
            for (int j0 = 0; j0 < inner; j0 += InnerChunk)
            {
                int len = Math.Min(InnerChunk, inner - j0);
                MaxBlockColumns(block, axisLen, inner, j0, best[..len], indices.Slice(o * inner + j0, len));
            }
        }
    }

    private static void CheckArgMax(ReadOnlySpan<float> src, int outer, int axisLen, int inner, Span<int> indices)
    {
        Guard.Shape3(src.Length, outer, axisLen, inner, nameof(src));
        if (indices.Length != (long)outer * inner)
        {
            throw new ArgumentException(
                $"Span 'indices' has length {indices.Length} but shape [{outer}, {inner}] needs {(long)outer * inner} elements.", nameof(indices));
        }

        if (axisLen == 0 && indices.Length > 0)
        {
            throw new ArgumentException($"Cannot take the maximum over an empty axis (shape [{outer}, 0, {inner}]).", nameof(axisLen));
        }
    }

    private static void MaxBlock(ReadOnlySpan<float> block, int axisLen, int inner, Span<float> best, Span<int> index)
    {
        if (inner == 1)
        {
            int k = TensorPrimitives.IndexOfMax(block);
            index[0] = k;
            best[0] = block[k];
            return;
        }

        MaxBlockColumns(block, axisLen, inner, 0, best, index);
    }

    // Running maximum over k for columns j0 .. j0+best.Length of one [axisLen, inner] block;
    // walking k outermost keeps every read contiguous.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxBlockColumns(ReadOnlySpan<float> block, int axisLen, int inner, int j0, Span<float> best, Span<int> index)
    {
        block.Slice(j0, best.Length).CopyTo(best);
        index.Clear();
        for (int k = 1; k < axisLen; k++)
        {
            ReadOnlySpan<float> row = block.Slice(k * inner + j0, best.Length);
            for (int j = 0; j < row.Length; j++)
            {
                float v = row[j];
                float b = best[j];
                if (v > b || (float.IsNaN(v) && !float.IsNaN(b)))
                {
                    best[j] = v;
                    index[j] = k;
                }
            }
        }
    }

    private interface IWidenedOp
    {
        static abstract double Invoke(double x);

        static abstract Vector256<double> Invoke(Vector256<double> x);

        static abstract Vector512<double> Invoke(Vector512<double> x);
    }

    private readonly struct IdentityD : IWidenedOp
    {
        public static double Invoke(double x) => x;

        public static Vector256<double> Invoke(Vector256<double> x) => x;

        public static Vector512<double> Invoke(Vector512<double> x) => x;
    }

    private readonly struct SquareD : IWidenedOp
    {
        public static double Invoke(double x) => x * x;

        public static Vector256<double> Invoke(Vector256<double> x) => x * x;

        public static Vector512<double> Invoke(Vector512<double> x) => x * x;
    }

    // Σ f(x[i]) with every float widened to double before f, in two independent accumulators
    // per width so the adds pipeline.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Accumulate<TOp>(ReadOnlySpan<float> x, KernelPath path)
        where TOp : struct, IWidenedOp
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length;
        int i = 0;
        double total = 0;
        if (path == KernelPath.Vector512)
        {
            Vector512<double> a0 = Vector512<double>.Zero, a1 = Vector512<double>.Zero;
            for (; i <= n - 16; i += 16)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)i));
                a0 += TOp.Invoke(lo);
                a1 += TOp.Invoke(hi);
            }

            total += Vector512.Sum(a0 + a1);
        }

        if (path >= KernelPath.Vector256)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)i));
                a0 += TOp.Invoke(lo);
                a1 += TOp.Invoke(hi);
            }

            total += Vector256.Sum(a0 + a1);
        }

        for (; i < n; i++)
        {
            total += TOp.Invoke((double)Unsafe.Add(ref xr, i));
        }

        return total;
    }
}
