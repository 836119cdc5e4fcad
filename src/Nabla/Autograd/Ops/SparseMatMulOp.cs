using System.Runtime.CompilerServices;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// The product of a sparse matrix with a dense tensor (SpMM, <c>torch.sparse.mm</c>): a graph
/// layer's aggregation Y = Â·X, where row i of Y sums node i's in-neighbours' rows of X weighted by
/// the edges. The sparse matrix is data (no gradient); its entry values may instead come from a
/// tensor that learns (GAT's attention coefficients), one per entry and head. A bias (or any
/// addend) is written first and the product added onto it, sparing a separate pass.
/// </summary>
public static class SparseMatMulOp
{
    extension(CsrMatrix a)
    {
        /// <summary>
        /// Y = A·X (+ add) for A <c>[R, C]</c> and X <c>[C, F]</c> → Y <c>[R, F]</c>:
        /// Y[i] = Σ_{p ∈ row i} a_p·X[column_p], with a_p A's stored values (ones when binary) or, given
        /// <paramref name="values"/> <c>[nnz]</c> or <c>[nnz, H]</c>, those: with H heads the F columns are
        /// cut into H blocks and block h uses values[:, h] (multi-head attention). <paramref name="add"/>,
        /// <c>[F]</c> (a bias, broadcast over rows) or <c>[R, F]</c>, is added in the same pass, as
        /// <c>torch.sparse.addmm</c>. Gradients: ∂L/∂X = A_vᵀ·G (per head); ∂L/∂values[p, h] =
        /// ⟨G[row_p, block h], X[column_p, block h]⟩; ∂L/∂add = G (summed over rows for a bias).
        /// </summary>
        /// <exception cref="ShapeMismatchException">X is not <c>[C, F]</c>, values are not <c>[nnz]</c> or <c>[nnz, H]</c> with F a multiple of H, or add is neither <c>[F]</c> nor <c>[R, F]</c>.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor MatMul(Tensor x, Tensor? values = null, Tensor? add = null)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(x);
            if (x.Rank != 2 || x.Shape[0] != a.Columns)
                throw new ShapeMismatchException($"sparse matmul: {a} and X {x.Shape} do not fit ([R, C] · [C, F])");
            int heads = 1, width = x.Shape[1];
            if (values is not null)
            {
                bool perEntry = values.Rank is 1 or 2 && values.Shape[0] == a.NonZeroCount;
                heads = values.Rank == 2 ? values.Shape[1] : 1;
                if (!perEntry || heads < 1 || width % heads != 0)
                    throw new ShapeMismatchException($"sparse matmul: entry values {values.Shape} do not fit {a} and X {x.Shape} ([nnz] or [nnz, H] with F a multiple of H)");
            }
            if (add is not null && add.Shape != new Shape(width) && add.Shape != new Shape(a.Rows, width))
                throw new ShapeMismatchException($"sparse matmul: the addend {add.Shape} is neither [{width}] nor [{a.Rows}, {width}]");
            var xc = x.Contiguous();
            var vc = values?.Contiguous();
            var ac = add?.Contiguous();
            var y = Tensor.Scoped(new Shape(a.Rows, width));
            var ys = y.AsSpan();
            if (ac is not null)
            {
                var b = ac.ReadOnlyData;
                if (ac.Rank == 2) b.CopyTo(ys);
                else for (int r = 0; r < a.Rows; r++) b.CopyTo(ys.Slice(r * width, width));
            }
            SparseMatMul.Compute(a.RowPointers, a.ColumnIndices, vc is null ? a.Values : vc.ReadOnlyData, default, heads, xc.ReadOnlyData, width, ys, accumulate: ac is not null);
            bool records = GradMode.Records(xc) || (vc is not null && GradMode.Records(vc)) || (ac is not null && GradMode.Records(ac));
            if (!records) return y;
            var node = SparseMatMulNode.Rent();
            node.Matrix = a;
            node.Heads = heads;
            node.SetInput(0, xc);
            int next = 1;
            node.ValuesInput = vc is null ? -1 : next++;
            if (vc is not null) node.SetInput(node.ValuesInput, vc);
            node.AddInput = ac is null ? -1 : next;
            if (ac is not null) node.SetInput(node.AddInput, ac);
            return GradMode.Attach(node, y);
        }
    }

    private sealed class SparseMatMulNode : Node<SparseMatMulNode>
    {
        public CsrMatrix? Matrix;
        public int Heads;
        public int ValuesInput, AddInput;   // input positions, −1 when absent

        public override string Name => "SparseMatMulBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var a = Matrix!;
            var x = Input(0);
            int width = x.Shape[1];
            var values = ValuesInput > 0 ? Input(ValuesInput).ReadOnlyData : a.Values;
            var g = grad.ReadOnlyData;
            if (Needs(0))
            {
                // Aᵀ·G walks the transposed structure, reading each entry's value where it is stored.
                var t = a.Transposed;
                var dx = GradFor(0, out bool acc);
                SparseMatMul.Compute(t.RowPointers, t.Rows, values, t.Entries, Heads, g, width, dx.AsSpan(), acc);
            }
            if (ValuesInput > 0 && Needs(ValuesInput))
            {
                var dv = GradFor(ValuesInput, out bool acc);
                EdgeKernels.EntryDots(a.RowPointers, a.ColumnIndices, Heads, g, x.ReadOnlyData, width, dv.AsSpan(), acc);
            }
            if (AddInput > 0 && Needs(AddInput))
            {
                var add = Input(AddInput);
                var da = GradFor(AddInput, out bool acc).AsSpan();
                if (add.Rank == 2)
                {
                    if (acc) Primitives.Add(da, g, da);
                    else g.CopyTo(da);
                    return;
                }
                if (!acc) da.Clear();
                for (int r = 0; r < a.Rows; r++) Primitives.Add(da, g.Slice(r * width, width), da);
            }
        }

        protected override void ClearSaved() => Matrix = null;
    }
}
