using System.Runtime.CompilerServices;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// The affine map of a dense layer applied to sparse inputs, y = x·Wᵀ + b with x a
/// <see cref="CsrMatrix"/> (bag-of-words node features): each output row sums the rows of Wᵀ
/// facing the input's entries, so a 5,000-word vocabulary never becomes a dense
/// <c>[nodes, words]</c> matrix. The input is data: gradients flow to W and b only.
/// </summary>
public static class SparseLinearOp
{
    extension(CsrMatrix x)
    {
        /// <summary>
        /// y = x·Wᵀ + b for x <c>[N, in]</c> (sparse), W <c>[out, in]</c>, b <c>[out]</c> (or none) →
        /// y <c>[N, out]</c>. Gradients: ∂L/∂W = Gᵀ·x (computed as (xᵀ·G)ᵀ over x's transposed
        /// structure), ∂L/∂b = Σ_rows G.
        /// </summary>
        /// <exception cref="ShapeMismatchException">The shapes do not fit; names all of them.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Linear(Tensor weight, Tensor? bias)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(weight);
            if (weight.Rank != 2 || weight.Shape[1] != x.Columns || (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0])))
                throw new ShapeMismatchException($"linear: sparse input {x}, weight {weight.Shape} and bias {bias?.Shape.ToString() ?? "none"} do not fit ([N, in], [out, in], [out])");
            var wc = weight.Contiguous();
            var bc = bias?.Contiguous();
            int n = x.Rows, k = x.Columns, outputs = wc.Shape[0];
            var y = Tensor.Scoped(new Shape(n, outputs));
            var ys = y.AsSpan();
            if (bc is not null)
            {
                var b = bc.ReadOnlyData;
                for (int r = 0; r < n; r++) b.CopyTo(ys.Slice(r * outputs, outputs));
            }
            // The product reads whole rows of Wᵀ [in, out], one per input entry; W's own rows would
            // put each of them `in` floats apart. Transposing costs in·out per call, the product nnz·out.
            var wT = BufferPool.Rent(k * outputs);
            try
            {
                Transpose.Compute(wc.ReadOnlyData, outputs, k, wT, accumulate: false);
                SparseMatMul.Compute(x.RowPointers, x.ColumnIndices, x.Values, default, 1, wT, outputs, ys, accumulate: bc is not null);
            }
            finally
            {
                BufferPool.Return(wT);
            }
            if (!(GradMode.Records(wc) || (bc is not null && GradMode.Records(bc)))) return y;
            var node = SparseLinearNode.Rent();
            node.Matrix = x;
            node.SetInput(0, wc);
            if (bc is not null) node.SetInput(1, bc);
            return GradMode.Attach(node, y);
        }
    }

    private sealed class SparseLinearNode : Node<SparseLinearNode>
    {
        public CsrMatrix? Matrix;

        public override string Name => "SparseLinearBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var x = Matrix!;
            var w = Input(0);
            int n = x.Rows, k = x.Columns, outputs = w.Shape[0];
            var g = grad.ReadOnlyData;
            if (Needs(0))
            {
                var dW = GradFor(0, out bool acc);
                var dWT = BufferPool.Rent(k * outputs);
                try
                {
                    var t = x.Transposed;
                    SparseMatMul.Compute(t.RowPointers, t.Rows, x.Values, t.Entries, 1, g, outputs, dWT, accumulate: false);
                    Transpose.Compute(dWT, k, outputs, dW.AsSpan(), acc);
                }
                finally
                {
                    BufferPool.Return(dWT);
                }
            }
            if (InputCount > 1 && Needs(1))
            {
                var db = GradFor(1, out bool acc).AsSpan();
                if (!acc) db.Clear();
                for (int r = 0; r < n; r++) Primitives.Add(db, g.Slice(r * outputs, outputs), db);
            }
        }

        protected override void ClearSaved() => Matrix = null;
    }
}
