using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// The affine map of a dense layer as one primitive, PyTorch's <c>F.linear</c>: y = x·Wᵀ + b.
/// Composing <c>x.MatMul(w.T()) + b</c> costs a GEMM, a broadcast pass that writes a second
/// [N, out] tensor, and on the way back a copy of the gradient; here the bias rows are written
/// into y first and the GEMM accumulates onto them (β = 1), and backward is two GEMMs and a column sum.
/// </summary>
public static class LinearOp
{
    extension(Tensor x)
    {
        /// <summary>
        /// y = x·Wᵀ + b for x <c>[N, in]</c>, W <c>[out, in]</c>, b <c>[out]</c> (or none) → y <c>[N, out]</c>.
        /// Gradients: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_rows G.
        /// </summary>
        /// <exception cref="ShapeMismatchException">The shapes do not fit; names all of them.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Linear(Tensor weight, Tensor? bias)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (x.Rank != 2 || weight.Rank != 2 || x.Shape[1] != weight.Shape[1]
                || (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0])))
                throw new ShapeMismatchException($"linear: input {x.Shape}, weight {weight.Shape} and bias {bias?.Shape.ToString() ?? "none"} do not fit ([N, in], [out, in], [out])");
            var xc = x.IsContiguous ? x : x.Contiguous();
            var wc = weight.IsContiguous ? weight : weight.Contiguous();
            var bc = bias is null || bias.IsContiguous ? bias : bias.Contiguous();
            int m = xc.Shape[0], k = xc.Shape[1], n = wc.Shape[0];
            bool records = GradMode.Records(xc, wc) || (bc is not null && GradMode.Records(bc));
            var y = Tensor.Scoped(new Shape(m, n));
            var ys = y.AsSpan();
            if (bc is not null)
            {
                var b = bc.ReadOnlyData;
                for (int r = 0; r < m; r++) b.CopyTo(ys.Slice(r * n, n));
            }
            float beta = bc is null ? 0f : 1f;
            Gemm.Sgemm(false, true, m, n, k, 1f, xc.ReadOnlyData, k, wc.ReadOnlyData, k, beta, ys, n);
            if (!records) return y;
            var node = LinearNode.Rent();
            node.SetInput(0, xc);
            node.SetInput(1, wc);
            if (bc is not null) node.SetInput(2, bc);
            return GradMode.Attach(node, y);
        }
    }

    private sealed class LinearNode : Node<LinearNode>
    {
        public override string Name => "LinearBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var x = Input(0);
            var w = Input(1);
            int m = x.Shape[0], k = x.Shape[1], n = w.Shape[0];
            var g = grad.AsSpan();
            if (Needs(0))
            {
                var dx = GradFor(0, out bool acc).AsSpan();
                Gemm.Sgemm(false, false, m, k, n, 1f, g, n, w.AsSpan(), k, acc ? 1f : 0f, dx, k);
            }
            if (Needs(1))
            {
                var dw = GradFor(1, out bool acc).AsSpan();
                Gemm.Sgemm(true, false, n, k, m, 1f, g, n, x.AsSpan(), k, acc ? 1f : 0f, dw, k);
            }
            if (InputCount > 2 && Needs(2))
            {
                var db = GradFor(2, out bool acc).AsSpan();
                if (!acc) db.Clear();
                for (int r = 0; r < m; r++) Primitives.Add(db, g.Slice(r * n, n), db);
            }
        }
    }
}
