using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Indexing by integer positions: <c>IndexSelect</c> (whole slices, e.g. batch rows or embedding
/// lookups) and <c>Gather</c> (one element per position, e.g. the target class's log-probability).
/// Indices are given as tensors of whole numbers; backward scatters-adds the gradient.
/// </summary>
public static class IndexOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// Slices <c>indices[j]</c> of dimension <paramref name="axis"/>: result shape is x's with
        /// that dimension replaced by the number of indices (a 1-D tensor of whole numbers).
        /// </summary>
        /// <exception cref="IndexOutOfRangeException">An index is outside the dimension; names it.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor IndexSelect(int axis, Tensor indices)
        {
            ArgumentNullException.ThrowIfNull(indices);
            var c = x.Contiguous();
            int a = c.Shape.NormalizeAxis(axis);
            int outer = c.Shape.Product(0, a), len = c.Shape[a], inner = c.Shape.Product(a + 1, c.Rank);
            FloatIndex.CheckCount(len, "index_select");
            var idx = indices.Contiguous().AsSpan();
            int count = idx.Length;
            var y = Tensor.Scoped(c.Shape.With(a, count));
            var src = c.AsSpan();
            var dst = y.AsSpan();
            for (int j = 0; j < count; j++)
            {
                int k = CheckIndex(idx[j], len, "index_select", j);
                for (int o = 0; o < outer; o++)
                    src.Slice((o * len + k) * inner, inner).CopyTo(dst.Slice((o * count + j) * inner, inner));
            }
            if (!GradMode.Records(c)) return y;
            var node = IndexSelectNode.Rent();
            node.SetInput(0, c);
            node.SetInput(1, indices.Contiguous());
            node.Axis = a;
            return GradMode.Attach(node, y);
        }

        /// <summary>
        /// out[o, j, i] = x[o, index[o, j, i], i] along <paramref name="axis"/>, as <c>torch.gather</c>:
        /// <paramref name="index"/> has x's shape except along the axis.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Gather(int axis, Tensor index)
        {
            ArgumentNullException.ThrowIfNull(index);
            var c = x.Contiguous();
            int a = c.Shape.NormalizeAxis(axis);
            if (index.Rank != c.Rank)
                throw new ShapeMismatchException($"gather: index shape {index.Shape} and input shape {c.Shape} differ in rank");
            for (int d = 0; d < c.Rank; d++)
                if (d != a && index.Shape[d] != c.Shape[d])
                    throw new ShapeMismatchException($"gather: index shape {index.Shape} does not fit input shape {c.Shape} outside axis {a}");
            int outer = c.Shape.Product(0, a), len = c.Shape[a], inner = c.Shape.Product(a + 1, c.Rank), count = index.Shape[a];
            FloatIndex.CheckCount(len, "gather");
            var ic = index.Contiguous();
            var idx = ic.AsSpan();
            var y = Tensor.Scoped(index.Shape);
            var src = c.AsSpan();
            var dst = y.AsSpan();
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < count; j++)
                    for (int i = 0; i < inner; i++)
                    {
                        int p = (o * count + j) * inner + i;
                        dst[p] = src[(o * len + CheckIndex(idx[p], len, "gather", p)) * inner + i];
                    }
            if (!GradMode.Records(c)) return y;
            var node = GatherNode.Rent();
            node.SetInput(0, c);
            node.SetInput(1, ic);
            node.Axis = a;
            return GradMode.Attach(node, y);
        }
    }

    private static int CheckIndex(float value, int length, string op, int position)
    {
        int k = (int)value;
        if (k != value || (uint)k >= (uint)length)
            throw new IndexOutOfRangeException($"{op}: index {value} at position {position} is not a whole number in 0..{length - 1}");
        return k;
    }

    private sealed class IndexSelectNode : Node<IndexSelectNode>
    {
        public int Axis;

        public override string Name => "IndexSelectBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var input = Input(0);
            var idx = Input(1).AsSpan();
            var target = GradFor(0, out bool acc).AsSpan();
            if (!acc) target.Clear();
            int outer = input.Shape.Product(0, Axis), len = input.Shape[Axis], inner = input.Shape.Product(Axis + 1, input.Rank);
            var g = grad.AsSpan();
            for (int j = 0; j < idx.Length; j++)
            {
                int k = (int)idx[j];
                for (int o = 0; o < outer; o++)
                {
                    var t = target.Slice((o * len + k) * inner, inner);
                    Primitives.Add(t, g.Slice((o * idx.Length + j) * inner, inner), t);
                }
            }
        }
    }

    private sealed class GatherNode : Node<GatherNode>
    {
        public int Axis;

        public override string Name => "GatherBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var input = Input(0);
            var index = Input(1);
            var idx = index.AsSpan();
            var target = GradFor(0, out bool acc).AsSpan();
            if (!acc) target.Clear();
            int outer = input.Shape.Product(0, Axis), len = input.Shape[Axis], inner = input.Shape.Product(Axis + 1, input.Rank), count = index.Shape[Axis];
            var g = grad.AsSpan();
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < count; j++)
                    for (int i = 0; i < inner; i++)
                    {
                        int p = (o * count + j) * inner + i;
                        target[(o * len + (int)idx[p]) * inner + i] += g[p];
                    }
        }
    }
}
