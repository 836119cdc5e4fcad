using System.Buffers;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Pooling over NCHW (and NCL) tensors: max, average and adaptive average, each plane on its own.
/// </summary>
public static class PoolOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// y[n, c, oy, ox] = max over the window at (oy·sh − ph, ox·sw − pw) of x (padding never wins);
        /// the gradient goes to the first maximum of each window. x [N, C, H, W] → [N, C, OH, OW].
        /// </summary>
        /// <exception cref="ShapeMismatchException">x is not 4-D.</exception>
        public Tensor MaxPool2d((int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
        {
            var g = Geometry(x, "maxpool2d", kernel, stride, padding);
            if (padding.H * 2 > kernel.H || padding.W * 2 > kernel.W)
                throw new ArgumentException($"maxpool2d: padding {padding} must be at most half the kernel {kernel}", nameof(padding));
            var xc = x.Contiguous();
            int planes = x.Shape[0] * x.Shape[1];
            var y = Tensor.Scoped(new Shape(x.Shape[0], x.Shape[1], g.OutH, g.OutW));
            int[] argmax = ArrayPool<int>.Shared.Rent(Math.Max(1, y.Numel));
            MaxPoolSplit.Forward(g, planes, xc.AsSpan(), y.AsSpan(), argmax);
            if (!GradMode.Records(xc))
            {
                ArrayPool<int>.Shared.Return(argmax);
                return y;
            }
            var node = MaxPoolNode.Rent();
            node.SetInput(0, xc);
            node.Geometry = g;
            node.ArgMax = argmax;
            return GradMode.Attach(node, y);
        }

        /// <summary>Square form of <see cref="MaxPool2d(Tensor, ValueTuple{int, int}, ValueTuple{int, int}, ValueTuple{int, int})"/>; stride defaults to the kernel size.</summary>
        public Tensor MaxPool2d(int kernel, int? stride = null, int padding = 0)
            => x.MaxPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding));

        /// <summary>Max pooling over [N, C, L] → [N, C, OL]; stride defaults to the kernel size.</summary>
        public Tensor MaxPool1d(int kernel, int? stride = null, int padding = 0)
        {
            if (x.Rank != 3) throw new ShapeMismatchException($"maxpool1d: input must be [N, C, L], got shape {x.Shape}");
            var y = x.Reshape(x.Shape[0], x.Shape[1], 1, x.Shape[2]).MaxPool2d((1, kernel), (1, stride ?? kernel), (0, padding));
            return y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]);
        }

        /// <summary>
        /// y = (1/D)·Σ over the window of x with zero padding; D = KH·KW when
        /// <paramref name="countIncludePad"/> (PyTorch's default) else the number of in-image taps.
        /// </summary>
        /// <exception cref="ShapeMismatchException">x is not 4-D.</exception>
        public Tensor AvgPool2d((int H, int W) kernel, (int H, int W) stride, (int H, int W) padding, bool countIncludePad = true)
        {
            var g = Geometry(x, "avgpool2d", kernel, stride, padding);
            if (padding.H * 2 > kernel.H || padding.W * 2 > kernel.W)
                throw new ArgumentException($"avgpool2d: padding {padding} must be at most half the kernel {kernel}", nameof(padding));
            var xc = x.Contiguous();
            int planes = x.Shape[0] * x.Shape[1];
            var y = Tensor.Scoped(new Shape(x.Shape[0], x.Shape[1], g.OutH, g.OutW));
            PoolingKernels.AvgPool(g, planes, countIncludePad, xc.AsSpan(), y.AsSpan());
            if (!GradMode.Records(xc)) return y;
            var node = AvgPoolNode.Rent();
            node.SetInput(0, xc);
            node.Geometry = g;
            node.CountIncludePad = countIncludePad;
            return GradMode.Attach(node, y);
        }

        /// <summary>Square form of <see cref="AvgPool2d(Tensor, ValueTuple{int, int}, ValueTuple{int, int}, ValueTuple{int, int}, bool)"/>; stride defaults to the kernel size.</summary>
        public Tensor AvgPool2d(int kernel, int? stride = null, int padding = 0, bool countIncludePad = true)
            => x.AvgPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding), countIncludePad);

        /// <summary>
        /// Adaptive average pooling of [N, C, H, W] to [N, C, outH, outW]: cell (i, j) averages rows
        /// ⌊i·H/outH⌋ .. ⌈(i+1)·H/outH⌉ − 1 and columns likewise. (1, 1) is global average pooling.
        /// </summary>
        /// <exception cref="ShapeMismatchException">x is not 4-D.</exception>
        public Tensor AdaptiveAvgPool2d(int outH, int outW)
        {
            if (x.Rank != 4) throw new ShapeMismatchException($"adaptive_avg_pool2d: input must be [N, C, H, W], got shape {x.Shape}");
            if (outH <= 0 || outW <= 0) throw new ArgumentException($"adaptive_avg_pool2d: output size must be positive, got ({outH}, {outW})");
            var xc = x.Contiguous();
            var y = Tensor.Scoped(new Shape(x.Shape[0], x.Shape[1], outH, outW));
            PoolingKernels.AdaptiveAvgPool(x.Shape[0] * x.Shape[1], x.Shape[2], x.Shape[3], outH, outW, xc.AsSpan(), y.AsSpan());
            if (!GradMode.Records(xc)) return y;
            var node = AdaptiveAvgPoolNode.Rent();
            node.SetInput(0, xc);
            return GradMode.Attach(node, y);
        }
    }

    private static ConvGeometry Geometry(Tensor x, string op, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        if (x.Rank != 4) throw new ShapeMismatchException($"{op}: input must be [N, C, H, W], got shape {x.Shape}");
        return new ConvGeometry(x.Shape[1], x.Shape[2], x.Shape[3], kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W);
    }

    private sealed class MaxPoolNode : Node<MaxPoolNode>
    {
        public ConvGeometry Geometry;
        public int[]? ArgMax;

        public override string Name => "MaxPool2dBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var dx = GradFor(0, out bool acc).AsSpan();
            var x = Input(0);
            MaxPoolSplit.Backward(Geometry, x.Shape[0] * x.Shape[1], grad.AsSpan(), ArgMax, dx, acc);
        }

        protected override void ClearSaved()
        {
            if (ArgMax is not null) ArrayPool<int>.Shared.Return(ArgMax);
            ArgMax = null;
        }
    }

    private sealed class AvgPoolNode : Node<AvgPoolNode>
    {
        public ConvGeometry Geometry;
        public bool CountIncludePad;

        public override string Name => "AvgPool2dBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var dx = GradFor(0, out bool acc).AsSpan();
            if (!acc) dx.Clear();
            var x = Input(0);
            PoolingKernels.AvgPoolGrad(Geometry, x.Shape[0] * x.Shape[1], CountIncludePad, grad.AsSpan(), dx);
        }
    }

    private sealed class AdaptiveAvgPoolNode : Node<AdaptiveAvgPoolNode>
    {
        public override string Name => "AdaptiveAvgPool2dBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var dx = GradFor(0, out bool acc).AsSpan();
            if (!acc) dx.Clear();
            var x = Input(0);
            PoolingKernels.AdaptiveAvgPoolGrad(x.Shape[0] * x.Shape[1], x.Shape[2], x.Shape[3], Output!.Shape[2], Output.Shape[3], grad.AsSpan(), dx);
        }
    }
}
