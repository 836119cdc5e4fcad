using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Comparisons (1 where true, 0 where false; not differentiable), <c>Where</c>, <c>Clamp</c> and
/// elementwise <c>Maximum</c>/<c>Minimum</c>.
/// </summary>
public static class SelectionOps
{
    extension(Tensor a)
    {
        /// <summary>1 where a &gt; b, else 0 (broadcast).</summary>
        public Tensor Gt(Tensor b) => Broadcasting.Binary<GreaterThanOp>(a, b, "gt");
        /// <summary>1 where a ≥ b, else 0 (broadcast).</summary>
        public Tensor Ge(Tensor b) => Broadcasting.Binary<GreaterThanOrEqualOp>(a, b, "ge");
        /// <summary>1 where a &lt; b, else 0 (broadcast).</summary>
        public Tensor Lt(Tensor b) => Broadcasting.Binary<LessThanOp>(a, b, "lt");
        /// <summary>1 where a ≤ b, else 0 (broadcast).</summary>
        public Tensor Le(Tensor b) => Broadcasting.Binary<LessThanOrEqualOp>(a, b, "le");
        /// <summary>1 where a = b, else 0 (broadcast).</summary>
        public Tensor Eq(Tensor b) => Broadcasting.Binary<EqualOp>(a, b, "eq");
        /// <summary>1 where a ≠ b, else 0 (broadcast).</summary>
        public Tensor Ne(Tensor b) => Broadcasting.Binary<NotEqualOp>(a, b, "ne");
        /// <summary>1 where a &gt; s, else 0.</summary>
        public Tensor Gt(float s) => a.Gt(Tensor.Scalar(s));
        /// <summary>1 where a ≥ s, else 0.</summary>
        public Tensor Ge(float s) => a.Ge(Tensor.Scalar(s));
        /// <summary>1 where a &lt; s, else 0.</summary>
        public Tensor Lt(float s) => a.Lt(Tensor.Scalar(s));
        /// <summary>1 where a ≤ s, else 0.</summary>
        public Tensor Le(float s) => a.Le(Tensor.Scalar(s));
        /// <summary>1 where a = s, else 0.</summary>
        public Tensor Eq(float s) => a.Eq(Tensor.Scalar(s));

        /// <summary>
        /// Elementwise max(a, b), broadcast; the gradient goes to a where a ≥ b, else to b.
        /// </summary>
        public Tensor Maximum(Tensor b) => Tensor.Where(a.Ge(b), a, b);

        /// <summary>Elementwise min(a, b), broadcast; the gradient goes to a where a ≤ b, else to b.</summary>
        public Tensor Minimum(Tensor b) => Tensor.Where(a.Le(b), a, b);

        /// <summary>
        /// min(max(a, lo), hi); the gradient passes where lo ≤ a ≤ hi and is 0 elsewhere (as in PyTorch).
        /// </summary>
        public Tensor Clamp(float lo, float hi)
        {
            if (lo > hi) throw new ArgumentOutOfRangeException(nameof(lo), $"clamp: lower bound {lo} exceeds upper bound {hi}");
            var x = a.Contiguous();
            var y = Tensor.Scoped(x.Shape);
            Primitives.Max(x.AsSpan(), lo, y.AsSpan());
            Primitives.Min(y.AsSpan(), hi, y.AsSpan());
            if (!GradMode.Records(x)) return y;
            var node = ClampNode.Rent();
            node.SetInput(0, x);
            node.Lo = lo;
            node.Hi = hi;
            return GradMode.Attach(node, y);
        }
    }

    extension(Tensor)
    {
        /// <summary>
        /// Elementwise <c>condition ≠ 0 ? a : b</c> with all three broadcast together. Gradients: to
        /// a where the condition holds, to b elsewhere; none to the condition.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Tensor Where(Tensor condition, Tensor a, Tensor b)
        {
            ArgumentNullException.ThrowIfNull(condition);
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "where"), b.Shape, "where");
            var mask = Expand(condition, shape);
            var y = Tensor.Scoped(shape);
            var ea = Expand(a, shape);
            var eb = Expand(b, shape);
            var m = mask.AsSpan();
            var va = ea.AsSpan();
            var vb = eb.AsSpan();
            var d = y.AsSpan();
            for (int i = 0; i < d.Length; i++) d[i] = m[i] != 0 ? va[i] : vb[i];
            if (!GradMode.Records(a, b)) return y;
            var node = WhereNode.Rent();
            node.SetInput(0, a);
            node.SetInput(1, b);
            node.SetInput(2, mask);
            return GradMode.Attach(node, y);
        }
    }

    /// <summary>A contiguous copy of <paramref name="t"/> broadcast to <paramref name="shape"/> (no graph).</summary>
    private static Tensor Expand(Tensor t, Shape shape)
    {
        if (t.Shape == shape && t.IsContiguous) return t;
        var y = Tensor.Scoped(shape);
        Span<int> s = stackalloc int[Shape.MaxRank];
        Broadcasting.StridesIn(t, shape, s);
        StridedCopy.Gather(t.Buffer, t.Offset, shape, new Shape(s[..shape.Rank]), y.AsSpan());
        return y;
    }

    private sealed class ClampNode : Node<ClampNode>
    {
        public float Lo;
        public float Hi;

        public override string Name => "ClampBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var x = Input(0).AsSpan();
            var g = grad.AsSpan();
            var t = GradFor(0, out bool acc).AsSpan();
            for (int i = 0; i < t.Length; i++)
            {
                float v = x[i] >= Lo && x[i] <= Hi ? g[i] : 0f;
                t[i] = acc ? t[i] + v : v;
            }
        }
    }

    private sealed class WhereNode : Node<WhereNode>
    {
        public override string Name => "WhereBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var mask = Input(2).AsSpan();
            var g = grad.AsSpan();
            var tmp = Tensor.RentWorkspace(grad.Shape);
            var s = tmp.AsSpan();
            for (int side = 0; side < 2; side++)
            {
                if (!Needs(side)) continue;
                for (int i = 0; i < s.Length; i++) s[i] = (mask[i] != 0) == (side == 0) ? g[i] : 0f;
                Broadcasting.SumTo(tmp, GradFor(side, out bool acc), acc);
            }
            Tensor.ReturnWorkspace(tmp);
        }
    }
}
