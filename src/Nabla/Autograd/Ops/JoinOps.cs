using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>Joining tensors: <c>Concat</c> along an existing axis and <c>Stack</c> along a new one.</summary>
public static class JoinOps
{
    extension(Tensor)
    {
        /// <summary>
        /// Joins tensors along <paramref name="axis"/>; all other sizes must match. Each input's
        /// gradient is its slice of the output's gradient.
        /// </summary>
        /// <exception cref="ShapeMismatchException">Ranks or non-joined sizes differ; names the shapes.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            if (tensors.Count == 0) throw new ArgumentException("concat: no tensors given", nameof(tensors));
            var first = tensors[0];
            int a = first.Shape.NormalizeAxis(axis);
            int total = 0;
            bool record = false;
            foreach (var t in tensors)
            {
                if (t.Rank != first.Rank)
                    throw new ShapeMismatchException($"concat: shapes {first.Shape} and {t.Shape} have different ranks");
                for (int d = 0; d < first.Rank; d++)
                    if (d != a && t.Shape[d] != first.Shape[d])
                        throw new ShapeMismatchException($"concat: shapes {first.Shape} and {t.Shape} differ outside axis {a}");
                total += t.Shape[a];
                record |= GradMode.Records(t);
            }
            var shape = first.Shape.With(a, total);
            var y = Tensor.Scoped(shape);
            int outer = shape.Product(0, a), inner = shape.Product(a + 1, shape.Rank);
            var dst = y.AsSpan();
            int at = 0;
            foreach (var t in tensors)
            {
                var c = t.Contiguous();
                var src = c.AsSpan();
                int len = t.Shape[a] * inner;
                for (int o = 0; o < outer; o++) src.Slice(o * len, len).CopyTo(dst.Slice(o * total * inner + at * inner, len));
                at += t.Shape[a];
            }
            if (!record) return y;
            var node = ConcatNode.Rent();
            for (int i = 0; i < tensors.Count; i++) node.SetInput(i, tensors[i]);
            node.Axis = a;
            return GradMode.Attach(node, y);
        }

        /// <summary>Stacks equally shaped tensors along a new axis <paramref name="axis"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            if (tensors.Count == 0) throw new ArgumentException("stack: no tensors given", nameof(tensors));
            var unsqueezed = new Tensor[tensors.Count];
            for (int i = 0; i < tensors.Count; i++)
            {
                if (tensors[i].Shape != tensors[0].Shape)
                    throw new ShapeMismatchException($"stack: shapes {tensors[0].Shape} and {tensors[i].Shape} differ");
                unsqueezed[i] = tensors[i].Unsqueeze(axis);
            }
            return Tensor.Concat(unsqueezed, axis < 0 ? axis + tensors[0].Rank + 1 : axis);
        }
    }

    private sealed class ConcatNode : Node<ConcatNode>
    {
        public int Axis;

        public override string Name => "CatBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var shape = grad.Shape;
            int outer = shape.Product(0, Axis), inner = shape.Product(Axis + 1, shape.Rank), total = shape[Axis];
            var g = grad.AsSpan();
            int at = 0;
            for (int i = 0; i < InputCount; i++)
            {
                int size = Input(i).Shape[Axis];
                if (Needs(i))
                {
                    var target = GradFor(i, out bool acc).AsSpan();
                    int len = size * inner;
                    for (int o = 0; o < outer; o++)
                        ShapeOps.AddOrCopy(g.Slice(o * total * inner + at * inner, len), target.Slice(o * len, len), acc);
                }
                at += size;
            }
        }
    }
}
