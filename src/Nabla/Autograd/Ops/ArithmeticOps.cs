using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Elementwise +, −, ·, / with NumPy broadcasting, and their scalar forms. Backward sums each
/// operand's gradient over the dimensions it was broadcast along.
/// </summary>
public static class ArithmeticOps
{
    extension(Tensor)
    {
        /// <summary>a + b, broadcast.</summary>
        public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
        /// <summary>a − b, broadcast.</summary>
        public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
        /// <summary>a ⊙ b (elementwise product), broadcast.</summary>
        public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
        /// <summary>a / b elementwise, broadcast.</summary>
        public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
        /// <summary>a + s.</summary>
        public static Tensor operator +(Tensor a, float s) => a.AddScalar(s);
        /// <summary>s + a.</summary>
        public static Tensor operator +(float s, Tensor a) => a.AddScalar(s);
        /// <summary>a − s.</summary>
        public static Tensor operator -(Tensor a, float s) => a.AddScalar(-s);
        /// <summary>s − a.</summary>
        public static Tensor operator -(float s, Tensor a) => a.MulScalar(-1f).AddScalar(s);
        /// <summary>a · s.</summary>
        public static Tensor operator *(Tensor a, float s) => a.MulScalar(s);
        /// <summary>s · a.</summary>
        public static Tensor operator *(float s, Tensor a) => a.MulScalar(s);
        /// <summary>a / s.</summary>
        public static Tensor operator /(Tensor a, float s) => a.MulScalar(1f / s);
        /// <summary>s / a: s · a⁻¹.</summary>
        public static Tensor operator /(float s, Tensor a) => Tensor.Full(new Shape(), s).Div(a);
        /// <summary>−a.</summary>
        public static Tensor operator -(Tensor a) => a.MulScalar(-1f);
    }

    extension(Tensor a)
    {
        /// <summary>a + b with broadcasting; ∂/∂a = ∂/∂b = 1.</summary>
        public Tensor Add(Tensor b) => Binary<AddOp, AddNode>(a, b, "add");

        /// <summary>a − b with broadcasting; ∂/∂a = 1, ∂/∂b = −1.</summary>
        public Tensor Sub(Tensor b) => Binary<SubtractOp, SubNode>(a, b, "sub");

        /// <summary>a ⊙ b with broadcasting; ∂/∂a = b, ∂/∂b = a.</summary>
        public Tensor Mul(Tensor b) => Binary<MultiplyOp, MulNode>(a, b, "mul");

        /// <summary>a / b with broadcasting; ∂/∂a = 1/b, ∂/∂b = −a/b².</summary>
        public Tensor Div(Tensor b) => Binary<DivideOp, DivNode>(a, b, "div");

        /// <summary>a + s for a scalar s.</summary>
        public Tensor AddScalar(float s)
        {
            var x = a.Contiguous();
            var y = Tensor.Scoped(x.Shape);
            Primitives.Add(x.AsSpan(), s, y.AsSpan());
            if (!GradMode.Records(x)) return y;
            var node = AddScalarNode.Rent();
            node.SetInput(0, x);
            return GradMode.Attach(node, y);
        }

        /// <summary>a · s for a scalar s.</summary>
        public Tensor MulScalar(float s)
        {
            var x = a.Contiguous();
            var y = Tensor.Scoped(x.Shape);
            Primitives.Multiply(x.AsSpan(), s, y.AsSpan());
            if (!GradMode.Records(x)) return y;
            var node = MulScalarNode.Rent();
            node.SetInput(0, x);
            node.Factor = s;
            return GradMode.Attach(node, y);
        }
    }

    private static Tensor Binary<TOp, TNode>(Tensor a, Tensor b, string name)
        where TOp : struct, IBinaryOp where TNode : Node<TNode>, new()
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var y = Broadcasting.Binary<TOp>(a, b, name);
        if (!GradMode.Records(a, b)) return y;
        var node = Node<TNode>.Rent();
        node.SetInput(0, a);
        node.SetInput(1, b);
        return GradMode.Attach(node, y);
    }

    /// <summary>Writes g (the output's gradient, broadcast shape) times <paramref name="sign"/>, reduced to the target's shape.</summary>
    private static void PassThrough(Tensor g, Tensor target, bool accumulate, float sign)
    {
        if (sign == 1f)
        {
            Broadcasting.SumTo(g, target, accumulate);
            return;
        }
        var tmp = Tensor.RentWorkspace(g.Shape);
        Primitives.Multiply(g.AsSpan(), sign, tmp.AsSpan());
        Broadcasting.SumTo(tmp, target, accumulate);
        Tensor.ReturnWorkspace(tmp);
    }

    /// <summary>target (+)= SumTo(g ⊙ other) where other broadcasts to g's shape.</summary>
    private static void ProductGrad(Tensor g, Tensor other, Tensor target, bool accumulate)
    {
        if (other.IsContiguous && other.Shape == g.Shape && target.Shape == g.Shape)
        {
            var t = target.AsSpan();
            if (accumulate) Primitives.MultiplyAdd(g.AsSpan(), other.AsSpan(), t, t);
            else Primitives.Multiply(g.AsSpan(), other.AsSpan(), t);
            return;
        }
        var tmp = Tensor.RentWorkspace(g.Shape);
        Broadcasting.BinaryInto<MultiplyOp>(g, other, tmp);
        Broadcasting.SumTo(tmp, target, accumulate);
        Tensor.ReturnWorkspace(tmp);
    }

    private sealed class AddNode : Node<AddNode>
    {
        public override string Name => "AddBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (Needs(0)) PassThrough(grad, GradFor(0, out bool acc), acc, 1f);
            if (Needs(1)) PassThrough(grad, GradFor(1, out bool acc), acc, 1f);
        }
    }

    private sealed class SubNode : Node<SubNode>
    {
        public override string Name => "SubBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (Needs(0)) PassThrough(grad, GradFor(0, out bool acc), acc, 1f);
            if (Needs(1)) PassThrough(grad, GradFor(1, out bool acc), acc, -1f);
        }
    }

    private sealed class MulNode : Node<MulNode>
    {
        public override string Name => "MulBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (Needs(0)) ProductGrad(grad, Input(1), GradFor(0, out bool acc), acc);
            if (Needs(1)) ProductGrad(grad, Input(0), GradFor(1, out bool acc), acc);
        }
    }

    private sealed class DivNode : Node<DivNode>
    {
        public override string Name => "DivBackward";

        protected internal override void Backward(Tensor grad)
        {
            var b = Input(1);
            var tmp = Tensor.RentWorkspace(grad.Shape);
            if (Needs(0))
            {
                // ∂/∂a = g / b
                Broadcasting.BinaryInto<DivideOp>(grad, b, tmp);
                Broadcasting.SumTo(tmp, GradFor(0, out bool acc), acc);
            }
            if (Needs(1))
            {
                // ∂/∂b = −g · (a / b) / b = −g · y / b
                Broadcasting.BinaryInto<DivideOp>(Output!, b, tmp);
                Primitives.Multiply(tmp.AsSpan(), grad.AsSpan(), tmp.AsSpan());
                Primitives.Negate(tmp.AsSpan(), tmp.AsSpan());
                Broadcasting.SumTo(tmp, GradFor(1, out bool acc), acc);
            }
            Tensor.ReturnWorkspace(tmp);
        }
    }

    private sealed class AddScalarNode : Node<AddScalarNode>
    {
        public override string Name => "AddBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (Needs(0)) Broadcasting.SumTo(grad, GradFor(0, out bool acc), acc);
        }
    }

    private sealed class MulScalarNode : Node<MulScalarNode>
    {
        public float Factor;

        public override string Name => "MulBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var t = GradFor(0, out bool acc).AsSpan();
            if (acc) Primitives.MultiplyAdd(grad.AsSpan(), Factor, t, t);
            else Primitives.Multiply(grad.AsSpan(), Factor, t);
        }
    }
}
