using System.Runtime.CompilerServices;
using Nabla.Kernels;
namespace Nabla.Tensors;

/// <summary>
/// Copies between strided views and contiguous memory. Adjacent dimensions that are laid out
/// contiguously are merged first, so the innermost loop runs over the longest possible run.
/// </summary>
internal static class StridedCopy
{
    /// <summary>Copies the view (buffer, offset, shape, strides) row-major into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(float[] buffer, int offset, Shape shape, Shape strides, Span<float> destination)
    {
        Span<int> dims = stackalloc int[Shape.MaxRank];
        Span<int> steps = stackalloc int[Shape.MaxRank];
        int rank = Coalesce(shape, strides, dims, steps);
        if (shape.Numel == 0) return;
        int inner = dims[rank - 1], innerStep = steps[rank - 1];
        Span<int> counter = stackalloc int[Shape.MaxRank];
        counter.Clear();
        int src = offset, dst = 0, total = shape.Numel;
        while (dst < total)
        {
            if (innerStep == 1) buffer.AsSpan(src, inner).CopyTo(destination.Slice(dst, inner));
            else if (innerStep == 0) destination.Slice(dst, inner).Fill(buffer[src]);
            else
                for (int i = 0, s = src; i < inner; i++, s += innerStep) destination[dst + i] = buffer[s];
            dst += inner;
            // Advance the outer counters like an odometer.
            for (int d = rank - 2; d >= 0; d--)
            {
                src += steps[d];
                if (++counter[d] < dims[d]) break;
                src -= steps[d] * dims[d];
                counter[d] = 0;
            }
        }
    }

    /// <summary>
    /// Adds contiguous <paramref name="source"/> (row-major over <paramref name="shape"/>) into the
    /// strided region (buffer, offset, shape, strides): the adjoint of <see cref="Gather"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd(ReadOnlySpan<float> source, float[] buffer, int offset, Shape shape, Shape strides)
    {
        Span<int> dims = stackalloc int[Shape.MaxRank];
        Span<int> steps = stackalloc int[Shape.MaxRank];
        int rank = Coalesce(shape, strides, dims, steps);
        if (shape.Numel == 0) return;
        int inner = dims[rank - 1], innerStep = steps[rank - 1];
        Span<int> counter = stackalloc int[Shape.MaxRank];
        counter.Clear();
        int dst = offset, src = 0, total = shape.Numel;
        while (src < total)
        {
            var run = source.Slice(src, inner);
            if (innerStep == 1)
            {
                var d = buffer.AsSpan(dst, inner);
                Primitives.Add(d, run, d);
            }
            else if (innerStep == 0) buffer[dst] += Primitives.Sum(run);
            else
                for (int i = 0, p = dst; i < inner; i++, p += innerStep) buffer[p] += run[i];
            src += inner;
            for (int d = rank - 2; d >= 0; d--)
            {
                dst += steps[d];
                if (++counter[d] < dims[d]) break;
                dst -= steps[d] * dims[d];
                counter[d] = 0;
            }
        }
    }

    /// <summary>
    /// Merges dimension pairs where stride[i] == stride[i+1]·size[i+1] and drops size-1
    /// dimensions; returns the new rank (at least 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Coalesce(Shape shape, Shape strides, Span<int> dims, Span<int> steps)
    {
        int r = 0;
        for (int i = 0; i < shape.Rank; i++)
        {
            if (shape[i] == 1) continue;
            if (r > 0 && steps[r - 1] == strides[i] * shape[i])
            {
                dims[r - 1] *= shape[i];
                steps[r - 1] = strides[i];
            }
            else
            {
                dims[r] = shape[i];
                steps[r] = strides[i];
                r++;
            }
        }
        if (r == 0)
        {
            dims[0] = 1;
            steps[0] = 1;
            r = 1;
        }
        return r;
    }
}
