using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Transposed convolution (PyTorch's <c>conv_transpose2d</c>, sometimes called deconvolution): the
/// gradient of a convolution with respect to its input, used as a learnable upsampling layer.
/// Computed by <see cref="ConvTranspose2dKernels"/>.
/// </summary>
public static class ConvTransposeOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// y[n, g·O/G + o, iy·sh − ph + i·dh, ix·sw − pw + j·dw] += W[g·C/G + c, o, i, j]·x[n, g·C/G + c, iy, ix]
        /// summed over every input pixel, channel c of group g and tap (i, j), plus b[o]; positions outside
        /// the output are dropped. x [N, C, H, W], weight [C, O/G, KH, KW], bias [O] or null → y [N, O, OH, OW],
        /// OH = (H − 1)·sh − 2ph + dh·(KH − 1) + oph + 1 (OW likewise). The output padding only adds rows
        /// and columns at the bottom and right, to pick one of the sizes a strided convolution maps to H.
        /// Gradients: dX = conv2d(dY, W) (stride, padding, dilation as given), dW = Σₙ X·im2col(dY)ᵀ, db = Σ_{n,p} dY.
        /// </summary>
        /// <exception cref="ShapeMismatchException">Ranks, channel counts or groups do not fit, or the
        /// output padding is not smaller than the stride or the dilation; names the shapes.</exception>
        public Tensor ConvTranspose2d(Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding,
            (int H, int W) outputPadding, (int H, int W) dilation, int groups = 1)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (x.Rank != 4) throw new ShapeMismatchException($"conv_transpose2d: input must be [N, C, H, W], got shape {x.Shape}");
            if (weight.Rank != 4) throw new ShapeMismatchException($"conv_transpose2d: weight must be [in, out/groups, kH, kW], got shape {weight.Shape}");
            if (groups < 1) throw new ShapeMismatchException($"conv_transpose2d: groups must be at least 1, got {groups}");
            if (weight.Shape[0] != x.Shape[1])
                throw new ShapeMismatchException($"conv_transpose2d: input {x.Shape} has {x.Shape[1]} channels but weight {weight.Shape} expects {weight.Shape[0]}");
            if (x.Shape[1] % groups != 0)
                throw new ShapeMismatchException($"conv_transpose2d: input {x.Shape} has {x.Shape[1]} channels, not divisible into {groups} groups");
            int outC = weight.Shape[1] * groups;
            if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outC))
                throw new ShapeMismatchException($"conv_transpose2d: bias must be [{outC}], got shape {bias.Shape}");
            ConvTransposeGeometry g;
            try
            {
                g = new ConvTransposeGeometry(x.Shape[1], outC, groups, x.Shape[2], x.Shape[3], weight.Shape[2], weight.Shape[3],
                    stride.H, stride.W, padding.H, padding.W, outputPadding.H, outputPadding.W, dilation.H, dilation.W);
            }
            catch (ArgumentException e)
            {
                throw new ShapeMismatchException($"conv_transpose2d: input {x.Shape}, weight {weight.Shape}: {e.Message}");
            }
            var xc = x.Contiguous();
            var wc = weight.Contiguous();
            var bc = bias?.Contiguous();
            int n = x.Shape[0];
            var y = Tensor.Scoped(new Shape(n, outC, g.OutH, g.OutW));
            ConvTranspose2dKernels.Forward(g, n, xc.Buffer, xc.Offset, wc.Buffer, wc.Offset, bc?.Buffer, bc?.Offset ?? 0, y.Buffer, y.Offset);
            bool records = GradMode.Records(xc, wc) || (bc is not null && GradMode.Records(bc));
            if (!records) return y;
            var node = ConvTranspose2dNode.Rent();
            node.SetInput(0, xc);
            node.SetInput(1, wc);
            if (bc is not null) node.SetInput(2, bc);
            node.Geometry = g;
            return GradMode.Attach(node, y);
        }

        /// <summary>Square-parameter form of <see cref="ConvTranspose2d(Tensor, Tensor, Tensor?, ValueTuple{int, int}, ValueTuple{int, int}, ValueTuple{int, int}, ValueTuple{int, int}, int)"/>.</summary>
        public Tensor ConvTranspose2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0,
            int dilation = 1, int groups = 1)
            => x.ConvTranspose2d(weight, bias, (stride, stride), (padding, padding), (outputPadding, outputPadding), (dilation, dilation), groups);
    }

    private sealed class ConvTranspose2dNode : Node<ConvTranspose2dNode>
    {
        public ConvTransposeGeometry Geometry;

        public override string Name => "ConvTranspose2dBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var x = Input(0);
            var w = Input(1);
            int n = x.Shape[0], outC = Geometry.OutChannels, p = Geometry.OutH * Geometry.OutW;
            Tensor? dx = null, dw = null;
            bool accX = false, accW = false;
            if (Needs(0)) dx = GradFor(0, out accX);
            if (Needs(1)) dw = GradFor(1, out accW);
            ConvTranspose2dKernels.Backward(Geometry, n, x.Buffer, x.Offset, w.Buffer, w.Offset, grad.Buffer, grad.Offset,
                dx?.Buffer, dx?.Offset ?? 0, accX, dw?.Buffer, dw?.Offset ?? 0, accW);
            if (InputCount < 3 || !Needs(2)) return;
            var db = GradFor(2, out bool accB).AsSpan();
            var g = grad.AsSpan();
            for (int o = 0; o < outC; o++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += Primitives.Sum(g.Slice((i * outC + o) * p, p));
                db[o] = (float)(accB ? db[o] + s : s);
            }
        }
    }
}
