using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Activation functions as differentiable tensor operations; the <c>Nn</c> activation layers
/// wrap these. Each forward and derivative is a SIMD kernel in <c>Kernels.Activations</c> and
/// <c>Kernels.ActivationGrads</c>.
/// </summary>
public static class ActivationOps
{
    private enum Kind { Relu, LeakyRelu, Elu, Gelu, Sigmoid, Tanh, Softplus }

    extension(Tensor x)
    {
        /// <summary>ReLU: max(0, x); derivative 1 for x &gt; 0, else 0.</summary>
        public Tensor Relu() => Apply(x, Kind.Relu, 0f);

        /// <summary>Leaky ReLU: x for x &gt; 0, else αx (α = 0.01 by default, as in PyTorch).</summary>
        public Tensor LeakyRelu(double alpha = 0.01) => Apply(x, Kind.LeakyRelu, (float)alpha);

        /// <summary>ELU: x for x &gt; 0, else α(eˣ − 1); derivative 1 or y + α.</summary>
        public Tensor Elu(double alpha = 1)
        {
            if (alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), $"elu: alpha must be ≥ 0, got {alpha}");
            return Apply(x, Kind.Elu, (float)alpha);
        }

        /// <summary>GELU (exact): x·Φ(x) = ½x(1 + erf(x/√2)); derivative Φ(x) + x·φ(x).</summary>
        public Tensor Gelu() => Apply(x, Kind.Gelu, 0f);

        /// <summary>Logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ); derivative σ(1 − σ).</summary>
        public Tensor Sigmoid() => Apply(x, Kind.Sigmoid, 0f);

        /// <summary>Hyperbolic tangent; derivative 1 − tanh².</summary>
        public Tensor Tanh() => Apply(x, Kind.Tanh, 0f);

        /// <summary>Softplus log(1 + eˣ); derivative σ(x).</summary>
        public Tensor Softplus() => Apply(x, Kind.Softplus, 0f);

        /// <summary>
        /// Heaviside step: 1 for x &gt; 0, else 0. Its derivative is 0 everywhere it exists, so no
        /// gradient flows back (the classic threshold unit is trained by the perceptron rule instead).
        /// </summary>
        public Tensor Step()
        {
            var c = x.Contiguous();
            var y = Tensor.Scoped(c.Shape);
            Elementwise.Step(c.AsSpan(), y.AsSpan());
            return y;
        }
    }

    private static Tensor Apply(Tensor input, Kind kind, float alpha)
    {
        var x = input.Contiguous();
        var y = Tensor.Scoped(x.Shape);
        var src = x.AsSpan();
        var dst = y.AsSpan();
        switch (kind)
        {
            case Kind.Relu: Activations.Relu(src, dst); break;
            case Kind.LeakyRelu: Activations.LeakyRelu(src, alpha, dst); break;
            case Kind.Elu: Activations.Elu(src, alpha, dst); break;
            case Kind.Gelu: Activations.Gelu(src, dst); break;
            case Kind.Sigmoid: Activations.Sigmoid(src, dst); break;
            case Kind.Tanh: Activations.Tanh(src, dst); break;
            case Kind.Softplus: Activations.Softplus(src, dst); break;
        }
        if (!GradMode.Records(x)) return y;
        var node = ActivationNode.Rent();
        node.SetInput(0, x);
        node.Kind = kind;
        node.Alpha = alpha;
        return GradMode.Attach(node, y);
    }

    private sealed class ActivationNode : Node<ActivationNode>
    {
        public Kind Kind;
        public float Alpha;

        public override string Name => Kind + "Backward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var x = Input(0).AsSpan();
            var y = Output!.AsSpan();
            var g = grad.AsSpan();
            var dx = GradFor(0, out bool acc).AsSpan();
            switch (Kind)
            {
                case Kind.Relu: ActivationGrads.ReluGrad(x, g, dx, acc); break;
                case Kind.LeakyRelu: ActivationGrads.LeakyReluGrad(x, g, Alpha, dx, acc); break;
                case Kind.Elu: ActivationGrads.EluGrad(y, g, Alpha, dx, acc); break;
                case Kind.Gelu: ActivationGrads.GeluGrad(x, g, dx, acc); break;
                case Kind.Sigmoid: ActivationGrads.SigmoidGrad(y, g, dx, acc); break;
                case Kind.Tanh: ActivationGrads.TanhGrad(y, g, dx, acc); break;
                case Kind.Softplus: ActivationGrads.SoftplusGrad(x, g, dx, acc); break;
            }
        }
    }
}
