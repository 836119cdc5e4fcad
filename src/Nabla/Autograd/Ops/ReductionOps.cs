using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Sums, means and maxima over all elements or along one axis. Along an axis the tensor is seen as
/// [outer, axis, inner], so every reduction is a loop of contiguous row operations.
/// </summary>
public static class ReductionOps
{
    extension(Tensor x)
    {
        /// <summary>Σ of all elements, a scalar tensor; ∂/∂xᵢ = 1.</summary>
        public Tensor Sum()
        {
            var c = x.Contiguous();
            var y = Tensor.Scoped(new Shape());
            y.AsSpan()[0] = Reductions.Sum(c.AsSpan());
            return Record(c, y, -1, 1f);
        }

        /// <summary>Mean of all elements, a scalar tensor; ∂/∂xᵢ = 1/n.</summary>
        public Tensor Mean()
        {
            var c = x.Contiguous();
            var y = Tensor.Scoped(new Shape());
            float scale = c.Numel == 0 ? float.NaN : 1f / c.Numel;
            y.AsSpan()[0] = Reductions.Sum(c.AsSpan()) * scale;
            return Record(c, y, -1, scale);
        }

        /// <summary>Σ along <paramref name="axis"/>; the axis is dropped unless <paramref name="keepDim"/>.</summary>
        public Tensor Sum(int axis, bool keepDim = false) => AxisSum(x, axis, keepDim, false);

        /// <summary>Mean along <paramref name="axis"/>; the axis is dropped unless <paramref name="keepDim"/>.</summary>
        public Tensor Mean(int axis, bool keepDim = false) => AxisSum(x, axis, keepDim, true);

        /// <summary>
        /// Maximum along <paramref name="axis"/>; the gradient goes to the first maximal element
        /// of each slice.
        /// </summary>
        public Tensor Max(int axis, bool keepDim = false)
        {
            var c = x.Contiguous();
            int a = c.Shape.NormalizeAxis(axis);
            int outer = c.Shape.Product(0, a), len = c.Shape[a], inner = c.Shape.Product(a + 1, c.Rank);
            if (len == 0) throw new ShapeMismatchException($"max: axis {a} of shape {c.Shape} is empty");
            var y = Tensor.Scoped(keepDim ? c.Shape.With(a, 1) : c.Shape.Without(a));
            bool record = GradMode.Records(c);
            MaxNode? node = record ? MaxNode.Rent() : null;
            if (node is not null && node.Indices.Length < outer * inner) node.Indices = new int[outer * inner];
            if (node is null)
            {
                var scratch = System.Buffers.ArrayPool<int>.Shared.Rent(outer * inner);
                Reductions.MaxAxis(c.AsSpan(), outer, len, inner, y.AsSpan(), scratch.AsSpan(0, outer * inner));
                System.Buffers.ArrayPool<int>.Shared.Return(scratch);
                return y;
            }
            Reductions.MaxAxis(c.AsSpan(), outer, len, inner, y.AsSpan(), node.Indices.AsSpan(0, outer * inner));
            node.SetInput(0, c);
            node.Axis = a;
            return GradMode.Attach(node, y);
        }

        /// <summary>Index of the first maximum along <paramref name="axis"/> (as float values; not differentiable).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor ArgMax(int axis = -1)
        {
            var c = x.Contiguous();
            int a = c.Shape.NormalizeAxis(axis);
            int outer = c.Shape.Product(0, a), len = c.Shape[a], inner = c.Shape.Product(a + 1, c.Rank);
            var y = Tensor.Scoped(c.Shape.Without(a));
            var indices = System.Buffers.ArrayPool<int>.Shared.Rent(outer * inner);
            Reductions.ArgMaxAxis(c.AsSpan(), outer, len, inner, indices.AsSpan(0, outer * inner));
            var dst = y.AsSpan();
            for (int i = 0; i < dst.Length; i++) dst[i] = indices[i];
            System.Buffers.ArrayPool<int>.Shared.Return(indices);
            return y;
        }
    }

    private static Tensor AxisSum(Tensor x, int axis, bool keepDim, bool mean)
    {
        var c = x.Contiguous();
        int a = c.Shape.NormalizeAxis(axis);
        int outer = c.Shape.Product(0, a), len = c.Shape[a], inner = c.Shape.Product(a + 1, c.Rank);
        var y = Tensor.Scoped(keepDim ? c.Shape.With(a, 1) : c.Shape.Without(a));
        float scale = mean ? 1f / len : 1f;
        Reductions.SumAxis(c.AsSpan(), outer, len, inner, y.AsSpan());
        if (mean) Primitives.Multiply(y.AsSpan(), scale, y.AsSpan());
        return Record(c, y, a, scale);
    }

    private static Tensor Record(Tensor input, Tensor y, int axis, float scale)
    {
        if (!GradMode.Records(input)) return y;
        var node = SumNode.Rent();
        node.SetInput(0, input);
        node.Axis = axis;
        node.Scale = scale;
        return GradMode.Attach(node, y);
    }

    /// <summary>Backward of a (scaled) sum: every element of a slice receives the slice's gradient times the scale.</summary>
    private sealed class SumNode : Node<SumNode>
    {
        public int Axis;
        public float Scale;

        public override string Name => Scale == 1f ? "SumBackward" : "MeanBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var input = Input(0);
            var target = GradFor(0, out bool acc).AsSpan();
            var g = grad.AsSpan();
            if (Axis < 0)
            {
                float v = g[0] * Scale;
                if (acc) Primitives.Add(target, v, target);
                else target.Fill(v);
                return;
            }
            int outer = input.Shape.Product(0, Axis), len = input.Shape[Axis], inner = input.Shape.Product(Axis + 1, input.Rank);
            for (int o = 0; o < outer; o++)
            {
                var gRow = g.Slice(o * inner, inner);
                for (int j = 0; j < len; j++)
                {
                    var t = target.Slice((o * len + j) * inner, inner);
                    if (acc) Primitives.MultiplyAdd(gRow, Scale, t, t);
                    else Primitives.Multiply(gRow, Scale, t);
                }
            }
        }
    }

    /// <summary>Backward of max along an axis: the slice's gradient goes to its recorded argmax.</summary>
    private sealed class MaxNode : Node<MaxNode>
    {
        public int Axis;
        public int[] Indices = [];

        public override string Name => "MaxBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var input = Input(0);
            var target = GradFor(0, out bool acc).AsSpan();
            if (!acc) target.Clear();
            var g = grad.AsSpan();
            int outer = input.Shape.Product(0, Axis), len = input.Shape[Axis], inner = input.Shape.Product(Axis + 1, input.Rank);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                    target[(o * len + Indices[o * inner + i]) * inner + i] += g[o * inner + i];
        }
    }
}
