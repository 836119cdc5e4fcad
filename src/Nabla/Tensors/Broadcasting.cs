using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla.Tensors;

/// <summary>
/// NumPy broadcasting for elementwise binary operations, and its adjoint: summing a gradient
/// back down to an operand's shape.
/// </summary>
internal static class Broadcasting
{
    /// <summary>
    /// d = op(a, b) with both operands broadcast to the result's shape, for any stateless kernel op
    /// (<see cref="AddOp"/>, <see cref="GreaterThanOp"/>, …). Dimensions are merged where all three
    /// layouts allow, so the inner loop is one long run handled by the vector driver.
    /// </summary>
    public static Tensor Binary<TOp>(Tensor a, Tensor b, string opName) where TOp : struct, IBinaryOp
    {
        var shape = a.Shape == b.Shape ? a.Shape : Shape.Broadcast(a.Shape, b.Shape, opName);
        var d = Tensor.Scoped(shape);
        BinaryInto<TOp>(a, b, d);
        return d;
    }

    /// <summary>Like <see cref="Binary{TOp}"/> into an existing contiguous tensor of the broadcast shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BinaryInto<TOp>(Tensor a, Tensor b, Tensor d) where TOp : struct, IBinaryOp
    {
        var op = default(TOp);
        var path = KernelPaths.Best;
        var shape = d.Shape;
        if (a.IsContiguous && b.IsContiguous && a.Shape == b.Shape)
        {
            Primitives.Map(op, a.AsSpan(), b.AsSpan(), d.AsSpan(), path);
            return;
        }
        if (a.Numel == 1 && b.IsContiguous && b.Shape == shape)
        {
            Primitives.Map(new ScalarLeft<TOp>(op, a.Buffer[a.Offset]), b.AsSpan(), d.AsSpan(), path);
            return;
        }
        if (b.Numel == 1 && a.IsContiguous && a.Shape == shape)
        {
            Primitives.Map(new ScalarRight<TOp>(op, b.Buffer[b.Offset]), a.AsSpan(), d.AsSpan(), path);
            return;
        }
        Span<int> sa = stackalloc int[Shape.MaxRank];
        Span<int> sb = stackalloc int[Shape.MaxRank];
        StridesIn(a, shape, sa);
        StridesIn(b, shape, sb);
        Span<int> dims = stackalloc int[Shape.MaxRank];
        Span<int> sd = stackalloc int[Shape.MaxRank];
        int rank = CoalesceThree(shape, sa, sb, dims, sd);
        if (shape.Numel == 0) return;

        int inner = dims[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        Span<int> counter = stackalloc int[Shape.MaxRank];
        counter.Clear();
        var ba = a.Buffer;
        var bb = b.Buffer;
        var dd = d.AsSpan();
        int pa = a.Offset, pb = b.Offset, pd = 0, total = shape.Numel;
        while (pd < total)
        {
            var run = dd.Slice(pd, inner);
            if (ia == 1 && ib == 1) Primitives.Map(op, ba.AsSpan(pa, inner), bb.AsSpan(pb, inner), run, path);
            else if (ia == 1 && ib == 0) Primitives.Map(new ScalarRight<TOp>(op, bb[pb]), ba.AsSpan(pa, inner), run, path);
            else if (ia == 0 && ib == 1) Primitives.Map(new ScalarLeft<TOp>(op, ba[pa]), bb.AsSpan(pb, inner), run, path);
            else
                for (int i = 0, x = pa, y = pb; i < inner; i++, x += ia, y += ib) run[i] = op.Invoke(ba[x], bb[y]);
            pd += inner;
            for (int k = rank - 2; k >= 0; k--)
            {
                pa += sa[k];
                pb += sb[k];
                if (++counter[k] < dims[k]) break;
                pa -= sa[k] * dims[k];
                pb -= sb[k] * dims[k];
                counter[k] = 0;
            }
        }
    }

    /// <summary>
    /// Writes (or adds, when <paramref name="accumulate"/>) into <paramref name="dst"/> the sum of
    /// <paramref name="src"/> over the dimensions along which <paramref name="dst"/>'s shape was
    /// broadcast to <paramref name="src"/>'s: the gradient of broadcasting.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumTo(Tensor src, Tensor dst, bool accumulate)
    {
        var s = src.IsContiguous ? src : throw new InvalidOperationException("SumTo needs a contiguous gradient");
        var ds = dst.AsSpan();
        if (src.Shape == dst.Shape)
        {
            if (accumulate) Primitives.Add(ds, s.AsSpan(), ds);
            else s.AsSpan().CopyTo(ds);
            return;
        }
        if (dst.Numel == 1)
        {
            float total = Primitives.Sum(s.AsSpan());
            ds[0] = accumulate ? ds[0] + total : total;
            return;
        }
        if (!accumulate) ds.Clear();
        // Strides of dst in src's index space: 0 where dst was broadcast.
        Span<int> sd = stackalloc int[Shape.MaxRank];
        Span<int> unit = stackalloc int[Shape.MaxRank];
        StridesIn(dst, src.Shape, sd);
        int step = 1;
        for (int i = src.Rank - 1; i >= 0; i--)
        {
            unit[i] = step;
            step *= src.Shape[i];
        }
        Span<int> dims = stackalloc int[Shape.MaxRank];
        Span<int> ss = stackalloc int[Shape.MaxRank];
        int rank = CoalesceThree(src.Shape, sd, unit, dims, ss);
        int inner = dims[rank - 1], id = sd[rank - 1];
        Span<int> counter = stackalloc int[Shape.MaxRank];
        counter.Clear();
        var sspan = s.AsSpan();
        int ps = 0, pd = 0, total2 = src.Numel;
        while (ps < total2)
        {
            var run = sspan.Slice(ps, inner);
            if (id == 1) Primitives.Add(ds.Slice(pd, inner), run, ds.Slice(pd, inner));
            else if (id == 0) ds[pd] += Primitives.Sum(run);
            else
                for (int i = 0, y = pd; i < inner; i++, y += id) ds[y] += run[i];
            ps += inner;
            for (int k = rank - 2; k >= 0; k--)
            {
                pd += sd[k];
                if (++counter[k] < dims[k]) break;
                pd -= sd[k] * dims[k];
                counter[k] = 0;
            }
        }
    }

    /// <summary>The strides of <paramref name="t"/> seen through broadcasting to <paramref name="shape"/> (0 on stretched dimensions).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StridesIn(Tensor t, Shape shape, Span<int> strides)
    {
        int lead = shape.Rank - t.Rank;
        for (int i = 0; i < shape.Rank; i++)
        {
            int j = i - lead;
            strides[i] = j < 0 || t.Shape[j] == 1 ? 0 : t.Strides[j];
        }
    }

    /// <summary>
    /// Merges neighbouring dimensions that both stride arrays (and a contiguous result) can walk as
    /// one, and drops size-1 dimensions; the stride arrays are rewritten in place. Returns the rank.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CoalesceThree(Shape shape, Span<int> s1, Span<int> s2, Span<int> dims, Span<int> contiguousOut)
    {
        int r = 0;
        for (int i = 0; i < shape.Rank; i++)
        {
            int n = shape[i];
            if (n == 1) continue;
            if (r > 0 && s1[r - 1] == s1[i] * n && s2[r - 1] == s2[i] * n)
            {
                dims[r - 1] *= n;
                s1[r - 1] = s1[i];
                s2[r - 1] = s2[i];
            }
            else
            {
                dims[r] = n;
                s1[r] = s1[i];
                s2[r] = s2[i];
                r++;
            }
        }
        if (r == 0)
        {
            dims[0] = 1;
            s1[0] = 0;
            s2[0] = 0;
            r = 1;
        }
        int step = 1;
        for (int i = r - 1; i >= 0; i--)
        {
            contiguousOut[i] = step;
            step *= dims[i];
        }
        return r;
    }
}
