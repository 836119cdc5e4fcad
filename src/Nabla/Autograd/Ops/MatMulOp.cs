using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Matrix products through the project's SGEMM: 2-D × 2-D, batched 3-D × 3-D, and 3-D × 2-D
/// (a shared right operand). A transposed 2-D view is passed to GEMM as a transpose flag, not
/// copied, so <c>x.MatMul(w.T())</c> with weights stored [out, in] costs no copy.
/// </summary>
public static class MatMulOp
{
    extension(Tensor a)
    {
        /// <summary>
        /// C = A·B. Shapes: [m,k]·[k,n] → [m,n]; [b,m,k]·[b,k,n] → [b,m,n]; [b,m,k]·[k,n] → [b,m,n].
        /// Gradients: ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G.
        /// </summary>
        /// <exception cref="ShapeMismatchException">Inner dimensions differ or ranks are unsupported; names both shapes.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor MatMul(Tensor b)
        {
            ArgumentNullException.ThrowIfNull(b);
            if (a.Rank == 3 && b.Rank == 2)
            {
                // A shared right operand: fold the batch into rows.
                var folded = a.Reshape(a.Shape[0] * a.Shape[1], a.Shape[2]).MatMul(b);
                return folded.Reshape(a.Shape[0], a.Shape[1], b.Shape[1]);
            }
            if (!(a.Rank == 2 && b.Rank == 2) && !(a.Rank == 3 && b.Rank == 3))
                throw new ShapeMismatchException($"matmul: unsupported ranks, shapes {a.Shape} and {b.Shape} (use 2-D or batched 3-D)");
            int batch = a.Rank == 3 ? a.Shape[0] : 1;
            if (a.Rank == 3 && b.Shape[0] != batch)
                throw new ShapeMismatchException($"matmul: batch sizes differ, shapes {a.Shape} and {b.Shape}");
            int m = a.Shape[-2], k = a.Shape[-1], n = b.Shape[-1];
            if (b.Shape[-2] != k)
                throw new ShapeMismatchException($"matmul: shapes {a.Shape} and {b.Shape} do not fit (inner sizes {k} and {b.Shape[-2]})");
            var ga = Operand.Of(a.IsGemmReady() ? a : a.Contiguous());
            var gb = Operand.Of(b.IsGemmReady() ? b : b.Contiguous());
            var y = Tensor.Scoped(a.Rank == 3 ? new Shape(batch, m, n) : new Shape(m, n));
            for (int i = 0; i < batch; i++)
                Gemm.Sgemm(ga.Trans, gb.Trans, m, n, k, 1f, ga.Span(i), ga.Ld, gb.Span(i), gb.Ld, 0f, y.AsSpan().Slice(i * m * n, m * n), n);
            if (!GradMode.Records(ga.T, gb.T)) return y;
            var node = MatMulNode.Rent();
            node.SetInput(0, ga.T);
            node.SetInput(1, gb.T);
            return GradMode.Attach(node, y);
        }

        /// <summary>True when GEMM can read this tensor directly: contiguous, or a transposed contiguous matrix (batch-wise).</summary>
        internal bool IsGemmReady() => a.IsContiguous || Operand.IsTransposedContiguous(a);
    }

    /// <summary>How GEMM reads one operand: buffer, transpose flag, leading dimension, batch stride.</summary>
    private readonly struct Operand
    {
        public readonly Tensor T;
        public readonly bool Trans;
        public readonly int Ld;
        private readonly int _batchStride;
        private readonly int _size;

        private Operand(Tensor t, bool trans, int ld, int batchStride)
        {
            T = t;
            Trans = trans;
            Ld = ld;
            _batchStride = batchStride;
            _size = t.Shape[-2] * t.Shape[-1];
        }

        public static bool IsTransposedContiguous(Tensor t)
        {
            if (t.Rank < 2) return false;
            int rows = t.Shape[-2], cols = t.Shape[-1];
            bool inner = t.Strides[-2] == 1 && t.Strides[-1] == rows;
            bool batch = t.Rank == 2 || t.Strides[0] == rows * cols || t.Shape[0] == 1;
            return inner && batch;
        }

        public static Operand Of(Tensor t)
        {
            int rows = t.Shape[-2], cols = t.Shape[-1];
            return t.IsContiguous
                ? new Operand(t, false, Math.Max(cols, 1), rows * cols)
                : new Operand(t, true, Math.Max(rows, 1), rows * cols);
        }

        public ReadOnlySpan<float> Span(int batchIndex) => T.Buffer.AsSpan(T.Offset + batchIndex * _batchStride, _size);
    }

    private sealed class MatMulNode : Node<MatMulNode>
    {
        public override string Name => "MatMulBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var ga = Operand.Of(Input(0));
            var gb = Operand.Of(Input(1));
            int batch = Input(0).Rank == 3 ? Input(0).Shape[0] : 1;
            int m = Input(0).Shape[-2], k = Input(0).Shape[-1], n = Input(1).Shape[-1];
            var g = grad.AsSpan();
            if (Needs(0))
            {
                // dA = G·op(B)ᵀ, written in A's logical (untransposed) layout [m, k].
                var dA = GradFor(0, out bool acc).AsSpan();
                for (int i = 0; i < batch; i++)
                    Gemm.Sgemm(false, !gb.Trans, m, k, n, 1f, g.Slice(i * m * n, m * n), n, gb.Span(i), gb.Ld,
                        acc ? 1f : 0f, dA.Slice(i * m * k, m * k), k);
            }
            if (Needs(1))
            {
                // dB = op(A)ᵀ·G, [k, n].
                var dB = GradFor(1, out bool acc).AsSpan();
                for (int i = 0; i < batch; i++)
                    Gemm.Sgemm(!ga.Trans, false, k, n, m, 1f, ga.Span(i), ga.Ld, g.Slice(i * m * n, m * n), n,
                        acc ? 1f : 0f, dB.Slice(i * k * n, k * n), n);
            }
        }
    }
}
