using System.Buffers;
using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Layer normalization over the trailing dimensions, PyTorch's <c>F.layer_norm</c>, as one fused
/// operation: the statistics of each row are computed once and kept (two floats per row) for the
/// backward pass instead of recording the half-dozen elementwise ops of the formula.
/// </summary>
public static class LayerNormOp
{
    extension(Tensor x)
    {
        /// <summary>
        /// y = (x − μ)/√(σ² + ε)·γ + β, with μ and the biased variance σ² taken over the trailing
        /// dimensions <paramref name="normalizedShape"/> of each row; γ (weight) and β (bias) have
        /// that shape or are null. Gradients: with x̂ = (x − μ)/√(σ² + ε) and ĝ = g·γ,
        /// ∂L/∂x = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))/√(σ² + ε), ∂L/∂γ = Σ g·x̂, ∂L/∂β = Σ g.
        /// </summary>
        /// <exception cref="ShapeMismatchException">The trailing dimensions, weight or bias do not match <paramref name="normalizedShape"/>; names every shape.</exception>
        /// <exception cref="ArgumentOutOfRangeException">ε is not positive.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor LayerNorm(Shape normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
        {
            if (!((float)eps > 0f)) throw new ArgumentOutOfRangeException(nameof(eps), $"layer_norm: eps must be > 0, got {eps}");
            int k = normalizedShape.Rank;
            bool fits = k >= 1 && x.Rank >= k;
            for (int i = 1; fits && i <= k; i++) fits = x.Shape[-i] == normalizedShape[-i];
            if (!fits || (weight is not null && weight.Shape != normalizedShape) || (bias is not null && bias.Shape != normalizedShape))
                throw new ShapeMismatchException(
                    $"layer_norm: input {x.Shape} must end with the normalized shape {normalizedShape}, and weight {weight?.Shape.ToString() ?? "none"} and bias {bias?.Shape.ToString() ?? "none"} must have it");
            var xc = x.Contiguous();
            var wc = weight?.Contiguous();
            var bc = bias?.Contiguous();
            int cols = normalizedShape.Numel, rows = cols == 0 ? 0 : xc.Numel / cols;
            var y = Tensor.Scoped(xc.Shape);
            float[] stats = ArrayPool<float>.Shared.Rent(Math.Max(1, 2 * rows));
            LayerNormKernels.Forward(TensorMemory.Of(xc), rows, cols, TensorMemory.Of(wc), TensorMemory.Of(bc), (float)eps, TensorMemory.Of(y),
                stats.AsMemory(0, rows), stats.AsMemory(rows, rows));
            bool records = GradMode.Records(xc) || (wc is not null && GradMode.Records(wc)) || (bc is not null && GradMode.Records(bc));
            if (!records)
            {
                ArrayPool<float>.Shared.Return(stats);
                return y;
            }
            var node = LayerNormNode.Rent();
            node.SetInput(0, xc);
            // Absent affine tensors keep their slot empty-handed: inputs 1 and 2 are set only when given.
            node.HasWeight = wc is not null;
            node.HasBias = bc is not null;
            if (wc is not null) node.SetInput(1, wc);
            if (bc is not null) node.SetInput(node.HasWeight ? 2 : 1, bc);
            node.Stats = stats;
            node.Rows = rows;
            node.Cols = cols;
            return GradMode.Attach(node, y);
        }
    }

    private sealed class LayerNormNode : Node<LayerNormNode>
    {
        public float[]? Stats;
        public int Rows, Cols;
        public bool HasWeight, HasBias;

        public override string Name => "LayerNormBackward";

        protected internal override void Backward(Tensor grad)
        {
            int biasIndex = HasWeight ? 2 : 1;
            bool accX = false, accW = false, accB = false;
            var dx = Needs(0) ? TensorMemory.Of(GradFor(0, out accX)) : default;
            var dw = HasWeight && Needs(1) ? TensorMemory.Of(GradFor(1, out accW)) : default;
            var db = HasBias && Needs(biasIndex) ? TensorMemory.Of(GradFor(biasIndex, out accB)) : default;
            var stats = Stats!;
            LayerNormKernels.Backward(TensorMemory.Of(Input(0)), TensorMemory.Of(grad), Rows, Cols, stats.AsMemory(0, Rows), stats.AsMemory(Rows, Rows),
                HasWeight ? TensorMemory.Of(Input(1)) : default, dx, accX, dw, accW, db, accB);
        }

        protected override void ClearSaved()
        {
            if (Stats is not null) ArrayPool<float>.Shared.Return(Stats);
            Stats = null;
        }
    }
}
