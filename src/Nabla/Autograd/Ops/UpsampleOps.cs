using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Resizing NCHW images as PyTorch's <c>F.interpolate</c> (<c>upsample_nearest2d</c>,
/// <c>upsample_bilinear2d</c>), computed by <see cref="UpsampleKernels"/>.
/// </summary>
public static class UpsampleOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// Nearest-neighbour resize: y[n, c, oy, ox] = x[n, c, min(⌊oy·r_h⌋, H − 1), min(⌊ox·r_w⌋, W − 1)], with
        /// r = 1/scale when <paramref name="scaleH"/>/<paramref name="scaleW"/> are given (&gt; 0), else in/out.
        /// x [N, C, H, W] → [N, C, outH, outW]. Gradient: each input pixel receives the sum of the outputs that copied it.
        /// </summary>
        /// <exception cref="ShapeMismatchException">x is not 4-D or a size is not positive.</exception>
        public Tensor UpsampleNearest2d(int outH, int outW, double scaleH = 0, double scaleW = 0)
        {
            CheckInput(x, outH, outW, "upsample_nearest2d");
            var xc = x.Contiguous();
            int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3];
            var y = Tensor.Scoped(new Shape(x.Shape[0], x.Shape[1], outH, outW));
            UpsampleKernels.Nearest(xc.ReadOnlyData, y.AsSpan(), planes, h, w, outH, outW, scaleH, scaleW);
            if (!GradMode.Records(xc)) return y;
            var node = UpsampleNode.Rent();
            node.SetInput(0, xc);
            node.Set(false, false, scaleH, scaleW);
            return GradMode.Attach(node, y);
        }

        /// <summary>
        /// Bilinear resize with PyTorch's conventions: source position s = d·(in − 1)/(out − 1) when
        /// <paramref name="alignCorners"/>, else s = max((d + ½)·r − ½, 0) with r = 1/scale (given) or in/out;
        /// y blends the two nearest rows and columns with weights 1 − λ and λ = s − ⌊s⌋.
        /// x [N, C, H, W] → [N, C, outH, outW]. Gradient: each output's gradient spread over its four sources with those weights.
        /// </summary>
        /// <exception cref="ShapeMismatchException">x is not 4-D or a size is not positive.</exception>
        public Tensor UpsampleBilinear2d(int outH, int outW, bool alignCorners = false, double scaleH = 0, double scaleW = 0)
        {
            CheckInput(x, outH, outW, "upsample_bilinear2d");
            var xc = x.Contiguous();
            int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3];
            var y = Tensor.Scoped(new Shape(x.Shape[0], x.Shape[1], outH, outW));
            UpsampleKernels.Bilinear(xc.ReadOnlyData, y.AsSpan(), planes, h, w, outH, outW, scaleH, scaleW, alignCorners);
            if (!GradMode.Records(xc)) return y;
            var node = UpsampleNode.Rent();
            node.SetInput(0, xc);
            node.Set(true, alignCorners, scaleH, scaleW);
            return GradMode.Attach(node, y);
        }
    }

    private static void CheckInput(Tensor x, int outH, int outW, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ShapeMismatchException($"{op}: input must be [N, C, H, W], got shape {x.Shape}");
        if (x.Shape[2] < 1 || x.Shape[3] < 1) throw new ShapeMismatchException($"{op}: input {x.Shape} has an empty image");
        if (outH < 1 || outW < 1) throw new ShapeMismatchException($"{op}: output size must be positive, got {outH}x{outW} for input {x.Shape}");
    }

    private sealed class UpsampleNode : Node<UpsampleNode>
    {
        private bool _bilinear, _alignCorners;
        private double _scaleH, _scaleW;

        public override string Name => _bilinear ? "UpsampleBilinear2dBackward" : "UpsampleNearest2dBackward";

        public void Set(bool bilinear, bool alignCorners, double scaleH, double scaleW)
        {
            _bilinear = bilinear;
            _alignCorners = alignCorners;
            _scaleH = scaleH;
            _scaleW = scaleW;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var x = Input(0);
            var dx = GradFor(0, out bool accumulate);
            int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3], oh = grad.Shape[2], ow = grad.Shape[3];
            if (_bilinear)
                UpsampleKernels.BilinearBackward(grad.ReadOnlyData, dx.AsSpan(), accumulate, planes, h, w, oh, ow, _scaleH, _scaleW, _alignCorners);
            else
                UpsampleKernels.NearestBackward(grad.ReadOnlyData, dx.AsSpan(), accumulate, planes, h, w, oh, ow, _scaleH, _scaleW);
        }
    }
}
