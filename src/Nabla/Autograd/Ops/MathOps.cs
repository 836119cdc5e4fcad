using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nabla.Autograd;

/// <summary>Elementwise exp, log, sqrt, abs, square and powers, with their derivatives.</summary>
public static class MathOps
{
    private enum Kind { Exp, Log, Sqrt, Abs, Square, Pow }

    extension(Tensor x)
    {
        /// <summary>eˣ; derivative eˣ.</summary>
        public Tensor Exp() => Apply(x, Kind.Exp, 0f);

        /// <summary>Natural logarithm; derivative 1/x.</summary>
        public Tensor Log() => Apply(x, Kind.Log, 0f);

        /// <summary>√x; derivative 1/(2√x).</summary>
        public Tensor Sqrt() => Apply(x, Kind.Sqrt, 0f);

        /// <summary>|x|; derivative sign(x) (0 at 0).</summary>
        public Tensor Abs() => Apply(x, Kind.Abs, 0f);

        /// <summary>x²; derivative 2x.</summary>
        public Tensor Square() => Apply(x, Kind.Square, 0f);

        /// <summary>xᵖ for a constant p; derivative p·xᵖ⁻¹.</summary>
        public Tensor Pow(double exponent) => (float)exponent == 2f ? Apply(x, Kind.Square, 0f) : Apply(x, Kind.Pow, (float)exponent);
    }

    private static Tensor Apply(Tensor input, Kind kind, float p)
    {
        var x = input.Contiguous();
        var y = Tensor.Scoped(x.Shape);
        var src = x.AsSpan();
        var dst = y.AsSpan();
        switch (kind)
        {
            case Kind.Exp: Primitives.Exp(src, dst); break;
            case Kind.Log: TensorPrimitives.Log(src, dst); break;
            case Kind.Sqrt: Primitives.Sqrt(src, dst); break;
            case Kind.Abs: TensorPrimitives.Abs(src, dst); break;
            case Kind.Square: Primitives.Multiply(src, src, dst); break;
            case Kind.Pow: TensorPrimitives.Pow(src, p, dst); break;
        }
        if (!GradMode.Records(x)) return y;
        var node = MathNode.Rent();
        node.SetInput(0, x);
        node.Kind = kind;
        node.P = p;
        return GradMode.Attach(node, y);
    }

    private sealed class MathNode : Node<MathNode>
    {
        public Kind Kind;
        public float P;

        public override string Name => Kind + "Backward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var x = Input(0).AsSpan();
            var y = Output!.AsSpan();
            var g = grad.AsSpan();
            var dx = GradFor(0, out bool acc).AsSpan();
            var local = Tensor.RentWorkspace(grad.Shape);
            var d = local.AsSpan();
            switch (Kind)
            {
                case Kind.Exp: y.CopyTo(d); break;
                case Kind.Log: TensorPrimitives.Reciprocal(x, d); break;
                case Kind.Sqrt:
                    Primitives.Multiply(y, 2f, d);
                    TensorPrimitives.Reciprocal(d, d);
                    break;
                case Kind.Abs:
                    for (int i = 0; i < d.Length; i++) d[i] = x[i] > 0 ? 1f : x[i] < 0 ? -1f : 0f;
                    break;
                case Kind.Square: Primitives.Multiply(x, 2f, d); break;
                case Kind.Pow:
                    TensorPrimitives.Pow(x, P - 1f, d);
                    Primitives.Multiply(d, P, d);
                    break;
            }
            if (acc) Primitives.MultiplyAdd(g, d, dx, dx);
            else Primitives.Multiply(g, d, dx);
            Tensor.ReturnWorkspace(local);
        }
    }
}
