using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Views and layout changes: reshape, transpose, permute, narrow (slicing), squeeze/unsqueeze,
/// flatten, contiguous copies. Views share the source's buffer; backward maps the gradient back
/// through the same index correspondence.
/// </summary>
public static class ShapeOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// This tensor if it is contiguous, else a contiguous copy (recorded: the gradient passes
        /// through unchanged).
        /// </summary>
        public Tensor Contiguous()
        {
            if (x.IsContiguous) return x;
            var y = Tensor.Scoped(x.Shape);
            x.CopyTo(y.AsSpan());
            if (!GradMode.Records(x)) return y;
            var node = CopyNode.Rent();
            node.SetInput(0, x);
            return GradMode.Attach(node, y);
        }

        /// <summary>
        /// The same elements with another shape (row-major order); one size may be −1 and is inferred.
        /// A view when the tensor is contiguous, a copy otherwise.
        /// </summary>
        /// <exception cref="ShapeMismatchException">The element counts differ.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Reshape(params ReadOnlySpan<int> shape)
        {
            Span<int> dims = stackalloc int[Shape.MaxRank];
            if (shape.Length > Shape.MaxRank)
                throw new ShapeMismatchException($"reshape: at most {Shape.MaxRank} dimensions, got {shape.Length}");
            int infer = -1, known = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                dims[i] = shape[i];
                if (shape[i] == -1)
                {
                    if (infer >= 0) throw new ShapeMismatchException("reshape: only one dimension can be -1");
                    infer = i;
                }
                else known *= shape[i];
            }
            if (infer >= 0) dims[infer] = known == 0 ? 0 : x.Numel / known;
            var target = new Shape(dims[..shape.Length]);
            if (target.Numel != x.Numel)
                throw new ShapeMismatchException($"reshape: cannot reshape tensor of shape {x.Shape} ({x.Numel} elements) into {target}");
            return x.Reshape(target);
        }

        /// <summary>The same elements with shape <paramref name="shape"/> (same element count).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Reshape(Shape shape)
        {
            if (shape.Numel != x.Numel)
                throw new ShapeMismatchException($"reshape: cannot reshape tensor of shape {x.Shape} ({x.Numel} elements) into {shape}");
            var c = x.Contiguous();
            if (shape == c.Shape) return c;
            var y = Tensor.View(c, shape, ContiguousStrides(shape), c.Offset);
            return Record<ReshapeNode>(c, y);
        }

        /// <summary>Alias of <see cref="Reshape(Tensor, ReadOnlySpan{int})"/>, as in PyTorch.</summary>
        public Tensor View(params ReadOnlySpan<int> shape) => x.Reshape(shape);

        /// <summary>Flattens dimensions <paramref name="startAxis"/>..end into one: [N, C, H, W] → [N, C·H·W] by default.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Flatten(int startAxis = 1)
        {
            int start = startAxis < 0 ? startAxis + x.Rank : startAxis;
            if (start < 0 || start > x.Rank) throw new ArgumentOutOfRangeException(nameof(startAxis), $"flatten: axis {startAxis} out of range for shape {x.Shape}");
            Span<int> dims = stackalloc int[Shape.MaxRank];
            for (int i = 0; i < start; i++) dims[i] = x.Shape[i];
            dims[start] = x.Shape.Product(start, x.Rank);
            return x.Reshape(new Shape(dims[..(start + 1)]));
        }

        /// <summary>Inserts a dimension of size 1 at <paramref name="axis"/>.</summary>
        public Tensor Unsqueeze(int axis) => x.Reshape(x.Shape.Insert(axis, 1));

        /// <summary>Removes dimension <paramref name="axis"/>, which must have size 1.</summary>
        public Tensor Squeeze(int axis)
        {
            if (x.Shape[axis] != 1) throw new ShapeMismatchException($"squeeze: dimension {axis} of shape {x.Shape} is not 1");
            return x.Reshape(x.Shape.Without(axis));
        }

        /// <summary>Swaps two dimensions (a view).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Transpose(int axis0, int axis1)
        {
            Span<int> perm = stackalloc int[Shape.MaxRank];
            for (int i = 0; i < x.Rank; i++) perm[i] = i;
            int a = x.Shape.NormalizeAxis(axis0), b = x.Shape.NormalizeAxis(axis1);
            (perm[a], perm[b]) = (perm[b], perm[a]);
            return x.Permute(perm[..x.Rank]);
        }

        /// <summary>The transpose of a 2-D tensor (a view).</summary>
        public Tensor T()
        {
            if (x.Rank != 2) throw new ShapeMismatchException($"T: needs a 2-D tensor, got shape {x.Shape}");
            return x.Transpose(0, 1);
        }

        /// <summary>Reorders dimensions: result dimension i is source dimension <c>order[i]</c> (a view).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Permute(params ReadOnlySpan<int> order)
        {
            if (order.Length != x.Rank) throw new ShapeMismatchException($"permute: {order.Length} axes given for shape {x.Shape}");
            Span<int> dims = stackalloc int[Shape.MaxRank];
            Span<int> strides = stackalloc int[Shape.MaxRank];
            int seen = 0;
            for (int i = 0; i < order.Length; i++)
            {
                int a = x.Shape.NormalizeAxis(order[i]);
                if ((seen & (1 << a)) != 0) throw new ShapeMismatchException($"permute: axis {a} repeated for shape {x.Shape}");
                seen |= 1 << a;
                dims[i] = x.Shape[a];
                strides[i] = x.Strides[a];
            }
            var y = Tensor.View(x, new Shape(dims[..x.Rank]), new Shape(strides[..x.Rank]), x.Offset);
            if (!GradMode.Records(x)) return y;
            var node = PermuteNode.Rent();
            node.SetInput(0, x);
            for (int i = 0; i < order.Length; i++) node.Order[i] = x.Shape.NormalizeAxis(order[i]);
            return GradMode.Attach(node, y);
        }

        /// <summary>Elements <paramref name="start"/> .. start+<paramref name="length"/>−1 along <paramref name="axis"/> (a view), like <c>torch.narrow</c>.</summary>
        public Tensor Narrow(int axis, int start, int length)
        {
            int a = x.Shape.NormalizeAxis(axis);
            if (start < 0 || length < 0 || start + length > x.Shape[a])
                throw new ArgumentOutOfRangeException(nameof(start), $"narrow: range {start}..{start + length} is outside dimension {a} of shape {x.Shape}");
            var y = Tensor.View(x, x.Shape.With(a, length), x.Strides, x.Offset + start * x.Strides[a]);
            if (!GradMode.Records(x)) return y;
            var node = NarrowNode.Rent();
            node.SetInput(0, x);
            node.Axis = a;
            node.Start = start;
            return GradMode.Attach(node, y);
        }

        /// <summary>Rows <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>−1 of the first dimension (a batch).</summary>
        public Tensor Rows(int start, int count) => x.Narrow(0, start, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Shape ContiguousStrides(Shape shape)
    {
        Span<int> s = stackalloc int[Shape.MaxRank];
        int step = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            s[i] = step;
            step *= shape[i];
        }
        return new Shape(s[..shape.Rank]);
    }

    private static Tensor Record<TNode>(Tensor input, Tensor y) where TNode : Node<TNode>, new()
    {
        if (!GradMode.Records(input)) return y;
        var node = Node<TNode>.Rent();
        node.SetInput(0, input);
        return GradMode.Attach(node, y);
    }

    /// <summary>target (+)= g where both hold the same elements in the same order.</summary>
    internal static void AddOrCopy(ReadOnlySpan<float> g, Span<float> target, bool accumulate)
    {
        if (accumulate) Primitives.Add(target, g, target);
        else g.CopyTo(target);
    }

    private sealed class CopyNode : Node<CopyNode>
    {
        public override string Name => "CloneBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (Needs(0)) AddOrCopy(grad.AsSpan(), GradFor(0, out bool acc).AsSpan(), acc);
        }
    }

    private sealed class ReshapeNode : Node<ReshapeNode>
    {
        public override string Name => "ReshapeBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (Needs(0)) AddOrCopy(grad.AsSpan(), GradFor(0, out bool acc).AsSpan(), acc);
        }
    }

    private sealed class PermuteNode : Node<PermuteNode>
    {
        public readonly int[] Order = new int[Shape.MaxRank];

        public override string Name => "PermuteBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var input = Input(0);
            var target = GradFor(0, out bool acc);
            // Output dimension i walks input dimension Order[i]; read g in the input's index order.
            Span<int> s = stackalloc int[Shape.MaxRank];
            for (int i = 0; i < input.Rank; i++) s[Order[i]] = grad.Strides[i];
            var strides = new Shape(s[..input.Rank]);
            if (!acc)
            {
                StridedCopy.Gather(grad.Buffer, grad.Offset, input.Shape, strides, target.AsSpan());
                return;
            }
            var tmp = Tensor.RentWorkspace(input.Shape);
            StridedCopy.Gather(grad.Buffer, grad.Offset, input.Shape, strides, tmp.AsSpan());
            Primitives.Add(target.AsSpan(), tmp.AsSpan(), target.AsSpan());
            Tensor.ReturnWorkspace(tmp);
        }
    }

    private sealed class NarrowNode : Node<NarrowNode>
    {
        public int Axis;
        public int Start;

        public override string Name => "NarrowBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var input = Input(0);
            var target = GradFor(0, out bool acc);
            if (!acc) target.AsSpan().Clear();
            var strides = ContiguousStrides(input.Shape);
            StridedCopy.ScatterAdd(grad.AsSpan(), target.Buffer, target.Offset + Start * strides[Axis], grad.Shape, strides);
        }
    }
}
