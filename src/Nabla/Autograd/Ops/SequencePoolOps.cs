using System.Buffers;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Global pooling over the time axis of a sequence batch <c>[N, T, C]</c> (channels last, as
/// Keras' <c>GlobalAveragePooling1D</c>/<c>GlobalMaxPooling1D</c>), ignoring padding positions
/// when a mask is given.
/// </summary>
public static class SequencePoolOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// y[n, c] = Σ_t m[n, t]·x[n, t, c] / Σ_t m[n, t] for x <c>[N, T, C]</c> and a padding mask m
        /// <c>[N, T]</c> (non-zero = real position; null = all real) → y <c>[N, C]</c>. A row that is all
        /// padding gives zeros. Gradient: ∂L/∂x[n, t, c] = m[n, t]·∂L/∂y[n, c] / Σ_t m[n, t].
        /// </summary>
        /// <exception cref="ShapeMismatchException">x is not 3-D or the mask is not <c>[N, T]</c>.</exception>
        public Tensor GlobalAvgPool1d(Tensor? mask = null)
        {
            var (xc, mc) = Check(x, mask, "global_avg_pool1d");
            int n = xc.Shape[0], t = xc.Shape[1], c = xc.Shape[2];
            var y = Tensor.Scoped(new Shape(n, c));
            SequencePoolingKernels.Mean(xc.ReadOnlyData, n, t, c, mc is null ? default : mc.ReadOnlyData, y.AsSpan());
            if (!GradMode.Records(xc)) return y;
            var node = MeanNode.Rent();
            node.SetInput(0, xc);
            if (mc is not null) node.SetInput(1, mc);
            return GradMode.Attach(node, y);
        }

        /// <summary>
        /// y[n, c] = max over real positions t of x[n, t, c] for x <c>[N, T, C]</c> and a padding mask
        /// <c>[N, T]</c> (null = all real) → y <c>[N, C]</c>; a row that is all padding gives zeros. The
        /// gradient goes to the first maximum of each (n, c).
        /// </summary>
        /// <exception cref="ShapeMismatchException">x is not 3-D or the mask is not <c>[N, T]</c>.</exception>
        public Tensor GlobalMaxPool1d(Tensor? mask = null)
        {
            var (xc, mc) = Check(x, mask, "global_max_pool1d");
            int n = xc.Shape[0], t = xc.Shape[1], c = xc.Shape[2];
            var y = Tensor.Scoped(new Shape(n, c));
            int[] argmax = ArrayPool<int>.Shared.Rent(Math.Max(1, n * c));
            SequencePoolingKernels.Max(xc.ReadOnlyData, n, t, c, mc is null ? default : mc.ReadOnlyData, y.AsSpan(), argmax);
            if (!GradMode.Records(xc))
            {
                ArrayPool<int>.Shared.Return(argmax);
                return y;
            }
            var node = MaxNode.Rent();
            node.SetInput(0, xc);
            node.ArgMax = argmax;
            return GradMode.Attach(node, y);
        }
    }

    private static (Tensor X, Tensor? Mask) Check(Tensor x, Tensor? mask, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3) throw new ShapeMismatchException($"{op}: input must be [N, T, C], got shape {x.Shape}");
        if (mask is not null && (mask.Rank != 2 || mask.Shape[0] != x.Shape[0] || mask.Shape[1] != x.Shape[1]))
            throw new ShapeMismatchException($"{op}: mask {mask.Shape} does not fit input {x.Shape} (expected [{x.Shape[0]}, {x.Shape[1]}])");
        return (x.Contiguous(), mask?.Contiguous());
    }

    private sealed class MeanNode : Node<MeanNode>
    {
        public override string Name => "GlobalAvgPool1dBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var x = Input(0);
            var mask = InputCount > 1 ? Input(1).ReadOnlyData : default;
            var dx = GradFor(0, out bool acc).AsSpan();
            SequencePoolingKernels.MeanGrad(grad.ReadOnlyData, x.Shape[0], x.Shape[1], x.Shape[2], mask, dx, acc);
        }
    }

    private sealed class MaxNode : Node<MaxNode>
    {
        public int[]? ArgMax;

        public override string Name => "GlobalMaxPool1dBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var x = Input(0);
            var dx = GradFor(0, out bool acc).AsSpan();
            SequencePoolingKernels.MaxGrad(grad.ReadOnlyData, x.Shape[0], x.Shape[1], x.Shape[2], ArgMax, dx, acc);
        }

        protected override void ClearSaved()
        {
            if (ArgMax is not null) ArrayPool<int>.Shared.Return(ArgMax);
            ArgMax = null;
        }
    }
}
