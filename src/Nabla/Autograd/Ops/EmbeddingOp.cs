using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Embedding lookup, PyTorch's <c>F.embedding</c>: y[…, :] = W[ids[…], :]. Its backward adds each
/// position's gradient into the row of its token only, so a step writes the rows of the batch's
/// tokens and never a dense <c>[vocabulary, dim]</c> gradient (see <see cref="SparseGradient"/>).
/// </summary>
public static class EmbeddingOp
{
    extension(Tensor ids)
    {
        /// <summary>
        /// y = W[ids] for token ids (whole numbers in 0..rows−1, any shape S) and a table W
        /// <c>[rows, dim]</c> → y <c>[S…, dim]</c>. Gradient: ∂L/∂W[k] = Σ_{p : ids[p] = k} ∂L/∂y[p], except
        /// that the row <paramref name="paddingIdx"/> gets none (PyTorch's <c>padding_idx</c>: its
        /// output is still W[paddingIdx], normally zero). With a padding index the result carries
        /// <see cref="Tensor.Mask"/> (1 where ids ≠ paddingIdx, 0 at padding) for masked pooling.
        /// </summary>
        /// <remarks>
        /// When W is a leaf, the rows written are recorded (<see cref="Tensor.TryGetGradRows"/>), and
        /// overwriting the gradient next time clears only those rows as long as nothing else wrote it,
        /// so a step's cost follows the batch, not the vocabulary.
        /// </remarks>
        /// <exception cref="ShapeMismatchException">W is not 2-D.</exception>
        /// <exception cref="IndexOutOfRangeException">An id is not a whole number in range; names the position.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Embedding(Tensor weight, int? paddingIdx = null)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (weight.Rank != 2)
                throw new ShapeMismatchException($"embedding: weight must be [rows, dim], got shape {weight.Shape}");
            if (ids.Rank + 1 > Shape.MaxRank)
                throw new ShapeMismatchException($"embedding: ids of shape {ids.Shape} leave no room for the embedding axis");
            int rows = weight.Shape[0], dim = weight.Shape[1];
            int pad = paddingIdx is { } p0 ? (p0 < 0 ? p0 + rows : p0) : -1;
            if (paddingIdx is not null && (uint)pad >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"embedding: padding index {paddingIdx} is outside 0..{rows - 1}");
            var ic = ids.Contiguous();
            var wc = weight.Contiguous();
            int count = ic.Numel;
            int[] indices = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
            int bad = EmbeddingKernels.ToRows(ic.ReadOnlyData, rows, indices);
            if (bad >= 0)
            {
                ArrayPool<int>.Shared.Return(indices);
                throw new IndexOutOfRangeException(string.Create(CultureInfo.InvariantCulture,
                    $"embedding: id {ic.ReadOnlyData[bad]} at position {bad} of ids {ids.Shape} is not a whole number in 0..{rows - 1}"));
            }

            Span<int> outShape = stackalloc int[ids.Rank + 1];
            for (int d = 0; d < ids.Rank; d++) outShape[d] = ids.Shape[d];
            outShape[ids.Rank] = dim;
            var y = Tensor.Scoped(new Shape(outShape));
            EmbeddingKernels.Gather(wc.ReadOnlyData, dim, indices.AsSpan(0, count), y.AsSpan());
            if (pad >= 0) y.Mask = PaddingMask(ic, indices.AsSpan(0, count), pad);

            if (!GradMode.Records(wc))
            {
                ArrayPool<int>.Shared.Return(indices);
                return y;
            }
            var node = EmbeddingNode.Rent();
            node.SetInput(0, wc);
            node.Indices = indices;
            node.Count = count;
            node.PaddingRow = pad;
            return GradMode.Attach(node, y);
        }
    }

    private static Tensor PaddingMask(Tensor ids, ReadOnlySpan<int> indices, int pad)
    {
        var mask = Tensor.Scoped(ids.Shape);
        var m = mask.AsSpan();
        for (int p = 0; p < indices.Length; p++) m[p] = indices[p] == pad ? 0f : 1f;
        return mask;
    }

    private sealed class EmbeddingNode : Node<EmbeddingNode>
    {
        public int[]? Indices;
        public int Count;
        public int PaddingRow;

        public override string Name => "EmbeddingBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var weight = Input(0);
            int dim = weight.Shape[1];
            var indices = Indices.AsSpan(0, Count);
            var buffer = GradFor(0, out bool accumulate);
            // Rows are recorded only for a parameter's own Grad; an intermediate's workspace is dense.
            var sparse = weight.IsLeaf && ReferenceEquals(buffer, weight.Grad)
                ? weight.SparseGrad ??= new SparseGradient(weight.Shape[0])
                : null;
            bool known = sparse is not null && sparse.Describes(buffer);
            var target = buffer.AsSpan();
            if (!accumulate)
            {
                if (known) EmbeddingKernels.ClearRows(target, dim, sparse!.Rows);
                else target.Clear();
            }
            EmbeddingKernels.ScatterAdd(grad.ReadOnlyData, dim, indices, PaddingRow, target);
            if (sparse is null) return;
            if (accumulate && !known)
            {
                // Added onto values nobody recorded: the gradient is dense from now on.
                sparse.Invalidate();
                return;
            }
            sparse.Begin(keepRows: accumulate);
            for (int p = 0; p < indices.Length; p++)
                if (indices[p] != PaddingRow) sparse.Add(indices[p]);
            sparse.Complete(buffer);
        }

        protected override void ClearSaved()
        {
            if (Indices is not null) ArrayPool<int>.Shared.Return(Indices);
            Indices = null;
        }
    }
}
