using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Softmax and log-softmax along an axis, max-subtracted so large inputs stay finite. The last
/// axis runs directly on the kernels; another axis is moved last, computed, and moved back.
/// </summary>
public static class SoftmaxOps
{
    extension(Tensor x)
    {
        /// <summary>softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m), m = maxⱼ xⱼ; backward dx = y ⊙ (g − Σ g⊙y).</summary>
        public Tensor Softmax(int axis = -1) => Apply(x, axis, log: false);

        /// <summary>log-softmax(x)ᵢ = xᵢ − m − log Σⱼ e^(xⱼ − m); backward dx = g − softmax(x)·Σg.</summary>
        public Tensor LogSoftmax(int axis = -1) => Apply(x, axis, log: true);
    }

    private static Tensor Apply(Tensor input, int axis, bool log)
    {
        int a = input.Shape.NormalizeAxis(axis);
        if (a != input.Rank - 1)
            return Apply(input.Transpose(a, -1), -1, log).Transpose(a, -1);
        var x = input.Contiguous();
        int cols = x.Shape[-1];
        int rows = cols == 0 ? 0 : x.Numel / cols;
        var y = Tensor.Scoped(x.Shape);
        if (log) SoftmaxKernels.LogSoftmax(x.AsSpan(), rows, cols, y.AsSpan());
        else SoftmaxKernels.Softmax(x.AsSpan(), rows, cols, y.AsSpan());
        if (!GradMode.Records(x)) return y;
        var node = SoftmaxNode.Rent();
        node.SetInput(0, x);
        node.Log = log;
        return GradMode.Attach(node, y);
    }

    private sealed class SoftmaxNode : Node<SoftmaxNode>
    {
        public bool Log;

        public override string Name => Log ? "LogSoftmaxBackward" : "SoftmaxBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var y = Output!;
            int cols = y.Shape[-1];
            int rows = cols == 0 ? 0 : y.Numel / cols;
            var dx = GradFor(0, out bool acc).AsSpan();
            if (Log) SoftmaxKernels.LogSoftmaxGrad(y.AsSpan(), grad.AsSpan(), rows, cols, dx, acc);
            else SoftmaxKernels.SoftmaxGrad(y.AsSpan(), grad.AsSpan(), rows, cols, dx, acc);
        }
    }
}
