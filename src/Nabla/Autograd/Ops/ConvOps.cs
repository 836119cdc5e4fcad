using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Convolutions (cross-correlation, as in PyTorch) over NCHW and NCL tensors, computed by
/// <see cref="Conv2dKernels"/> (im2col + SGEMM, images spread over the worker threads; Winograd F(2×2, 3×3)
/// through <see cref="WinogradConv"/> for 3×3 stride-1 layers where it pays).
/// </summary>
public static class ConvOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// y[n, o, oy, ox] = b[o] + Σ_{c,i,j} W[o, c, i, j]·x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]
        /// (zero outside the image). x [N, C, H, W], weight [O, C, KH, KW], bias [O] or null →
        /// y [N, O, OH, OW] with OH = ⌊(H + 2ph − dh·(KH − 1) − 1)/sh⌋ + 1 (OW likewise).
        /// Gradients: dW = Σₙ dY·colsᵀ, dX = col2im(Wᵀ·dY), db = Σ_{n,p} dY.
        /// <paramref name="algorithm"/> chooses how y and dX are computed (Winograd F(2×2, 3×3) for 3×3 stride-1
        /// layers where it pays under <see cref="ConvAlgorithm.Auto"/>; <see cref="ConvAlgorithm.Direct"/> for
        /// bitwise-direct results).
        /// </summary>
        /// <exception cref="ShapeMismatchException">Ranks or channel counts do not fit; names the shapes.</exception>
        public Tensor Conv2d(Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation,
            ConvAlgorithm algorithm = ConvAlgorithm.Auto)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (x.Rank != 4) throw new ShapeMismatchException($"conv2d: input must be [N, C, H, W], got shape {x.Shape}");
            if (weight.Rank != 4) throw new ShapeMismatchException($"conv2d: weight must be [out, in, kH, kW], got shape {weight.Shape}");
            if (weight.Shape[1] != x.Shape[1])
                throw new ShapeMismatchException($"conv2d: input {x.Shape} has {x.Shape[1]} channels but weight {weight.Shape} expects {weight.Shape[1]}");
            int outC = weight.Shape[0];
            if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outC))
                throw new ShapeMismatchException($"conv2d: bias must be [{outC}], got shape {bias.Shape}");
            var g = new ConvGeometry(x.Shape[1], x.Shape[2], x.Shape[3], weight.Shape[2], weight.Shape[3],
                stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W);
            var xc = x.Contiguous();
            var wc = weight.Contiguous();
            var bc = bias?.Contiguous();
            int n = x.Shape[0];
            var y = Tensor.Scoped(new Shape(n, outC, g.OutH, g.OutW));
            Conv2dKernels.Forward(g, n, outC, xc.Buffer, xc.Offset, wc.Buffer, wc.Offset, bc?.Buffer, bc?.Offset ?? 0, y.Buffer, y.Offset, algorithm);
            bool records = GradMode.Records(xc, wc) || (bc is not null && GradMode.Records(bc));
            if (!records) return y;
            var node = Conv2dNode.Rent();
            node.SetInput(0, xc);
            node.SetInput(1, wc);
            if (bc is not null) node.SetInput(2, bc);
            node.Geometry = g;
            node.Algorithm = algorithm;
            return GradMode.Attach(node, y);
        }

        /// <summary>Square-parameter form of <see cref="Conv2d(Tensor, Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int}, ValueTuple{int, int}, ConvAlgorithm)"/>.</summary>
        public Tensor Conv2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1)
            => x.Conv2d(weight, bias, (stride, stride), (padding, padding), (dilation, dilation));

        /// <summary>
        /// 1-D convolution: x [N, C, L], weight [O, C, K], bias [O] or null → y [N, O, OL],
        /// OL = ⌊(L + 2p − d·(K − 1) − 1)/s⌋ + 1; computed as a 2-D convolution with height 1.
        /// </summary>
        /// <exception cref="ShapeMismatchException">Ranks or channel counts do not fit; names the shapes.</exception>
        public Tensor Conv1d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (x.Rank != 3) throw new ShapeMismatchException($"conv1d: input must be [N, C, L], got shape {x.Shape}");
            if (weight.Rank != 3) throw new ShapeMismatchException($"conv1d: weight must be [out, in, k], got shape {weight.Shape}");
            var x4 = x.Reshape(x.Shape[0], x.Shape[1], 1, x.Shape[2]);
            var w4 = weight.Reshape(weight.Shape[0], weight.Shape[1], 1, weight.Shape[2]);
            var y = x4.Conv2d(w4, bias, (1, stride), (0, padding), (1, dilation));
            return y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]);
        }
    }

    private sealed class Conv2dNode : Node<Conv2dNode>
    {
        public ConvGeometry Geometry;
        public ConvAlgorithm Algorithm;

        public override string Name => "Conv2dBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var x = Input(0);
            var w = Input(1);
            int n = x.Shape[0], outC = w.Shape[0], p = Geometry.OutPixels;
            Tensor? dx = null, dw = null;
            bool accX = false, accW = false;
            if (Needs(0)) dx = GradFor(0, out accX);
            if (Needs(1)) dw = GradFor(1, out accW);
            Conv2dKernels.Backward(Geometry, n, outC, x.Buffer, x.Offset, w.Buffer, w.Offset, grad.Buffer, grad.Offset,
                dx?.Buffer, dx?.Offset ?? 0, accX, dw?.Buffer, dw?.Offset ?? 0, accW, Algorithm);
            if (InputCount < 3 || !Needs(2)) return;
            var db = GradFor(2, out bool accB).AsSpan();
            ConvBiasGradSplit.Run(grad.AsSpan(), n, outC, p, db, accB);
        }
    }
}
