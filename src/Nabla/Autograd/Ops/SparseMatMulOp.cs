using System.Runtime.CompilerServices;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// The product of a sparse matrix with a dense tensor (SpMM, <c>torch.sparse.mm</c>): a graph
/// layer's aggregation Y = Â·X, where row i of Y sums node i's in-neighbours' rows of X weighted by
/// the edges. The sparse matrix is data (no gradient); its entry values may instead come from a
/// tensor that learns (GAT's attention coefficients), one per entry and head.
/// </summary>
public static class SparseMatMulOp
{
    extension(CsrMatrix a)
    {
        /// <summary>
        /// Y = A·X for A <c>[R, C]</c> with its stored values (ones when binary) and X <c>[C, F]</c>
        /// → Y <c>[R, F]</c>: Y[i] = Σ_{p ∈ row i} a_p·X[column_p]. Gradient: ∂L/∂X = Aᵀ·G.
        /// </summary>
        /// <exception cref="ShapeMismatchException">X is not <c>[C, F]</c>.</exception>
        public Tensor MatMul(Tensor x) => Apply(a, x, null);

        /// <summary>
        /// Y = A_v·X with A's structure and the entry values v <c>[nnz]</c> or <c>[nnz, H]</c>: with H
        /// heads the F columns are cut into H blocks and block h uses v[:, h] (multi-head attention).
        /// Gradients: ∂L/∂X = A_vᵀ·G per head; ∂L/∂v[p, h] = ⟨G[row_p, block h], X[column_p, block h]⟩.
        /// </summary>
        /// <exception cref="ShapeMismatchException">X is not <c>[C, F]</c>, v is not <c>[nnz]</c> or <c>[nnz, H]</c>, or F is not a multiple of H.</exception>
        public Tensor MatMul(Tensor x, Tensor values)
        {
            ArgumentNullException.ThrowIfNull(values);
            return Apply(a, x, values);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tensor Apply(CsrMatrix a, Tensor x, Tensor? values)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Shape[0] != a.Columns)
            throw new ShapeMismatchException($"sparse matmul: {a} and X {x.Shape} do not fit ([R, C] · [C, F])");
        int heads = 1;
        if (values is not null)
        {
            bool perEntry = values.Rank is 1 or 2 && values.Shape[0] == a.NonZeroCount;
            heads = values.Rank == 2 ? values.Shape[1] : 1;
            if (!perEntry || heads < 1 || x.Shape[1] % heads != 0)
                throw new ShapeMismatchException($"sparse matmul: entry values {values.Shape} do not fit {a} and X {x.Shape} ([nnz] or [nnz, H] with F a multiple of H)");
        }
        var xc = x.Contiguous();
        var vc = values?.Contiguous();
        int width = xc.Shape[1];
        var y = Tensor.Scoped(new Shape(a.Rows, width));
        SparseMatMul.Compute(a.RowPointers, a.ColumnIndices, vc is null ? a.Values : vc.ReadOnlyData, default, heads, xc.ReadOnlyData, width, y.AsSpan(), false);
        if (!(vc is null ? GradMode.Records(xc) : GradMode.Records(xc, vc))) return y;
        var node = SparseMatMulNode.Rent();
        node.Matrix = a;
        node.Heads = heads;
        node.SetInput(0, xc);
        if (vc is not null) node.SetInput(1, vc);
        return GradMode.Attach(node, y);
    }

    private sealed class SparseMatMulNode : Node<SparseMatMulNode>
    {
        public CsrMatrix? Matrix;
        public int Heads;

        public override string Name => "SparseMatMulBackward";

        protected internal override void Backward(Tensor grad)
        {
            var a = Matrix!;
            var x = Input(0);
            int width = x.Shape[1];
            var values = InputCount > 1 ? Input(1).ReadOnlyData : a.Values;
            var g = grad.ReadOnlyData;
            if (Needs(0))
            {
                // Aᵀ·G walks the transposed structure, reading each entry's value where it is stored.
                var t = a.Transposed;
                var dx = GradFor(0, out bool acc);
                SparseMatMul.Compute(t.RowPointers, t.Rows, values, t.Entries, Heads, g, width, dx.AsSpan(), acc);
            }
            if (InputCount > 1 && Needs(1))
            {
                var dv = GradFor(1, out bool acc);
                EdgeKernels.EntryDots(a.RowPointers, a.ColumnIndices, Heads, g, x.ReadOnlyData, width, dv.AsSpan(), acc);
            }
        }

        protected override void ClearSaved() => Matrix = null;
    }
}
