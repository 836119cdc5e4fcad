using System.Runtime.CompilerServices;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Fused softmax cross-entropy: one batched log-softmax computes the row losses and is kept for backward;
/// backward writes the logits' gradient directly, instead of recording LogSoftmax, Gather, Mul and
/// Mean nodes.
/// </summary>
/// <remarks>
/// Every variant is ℓᵣ = −Σ_c a_rc·log softmax(xᵣ)_c with coefficients
/// a_rc = w_c·q_rc, where q is the target distribution after label smoothing ε:
/// q = (1 − ε)·onehot(tᵣ) + ε/C for class indices, q = (1 − ε)·t + ε/C for probabilities.
/// Hence ∂ℓᵣ/∂x_rc = Aᵣ·softmax_rc − a_rc with Aᵣ = Σ_c a_rc, and for probability targets
/// ∂ℓᵣ/∂t_rc = −(1 − ε)·w_c·log softmax(xᵣ)_c. A row whose index target equals the ignore index
/// has ℓᵣ = 0, gradient 0, and does not count in the mean's denominator.
/// </remarks>
internal static class SoftmaxCrossEntropyOp
{
    /// <summary>Loss of logits [N, C] against index targets [N] (<paramref name="indexTargets"/>) or probabilities [N, C].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Apply(Tensor logits, Tensor target, bool indexTargets, Tensor? weight, float smoothing, Reduction reduction,
        int ignoreIndex = CrossEntropyLoss.DefaultIgnoreIndex)
    {
        var x = logits.Contiguous();
        var t = indexTargets ? target.Detach().Contiguous() : target.Contiguous();
        var w = weight?.Contiguous();
        int n = x.Shape[0], c = x.Shape[1];
        var xs = x.AsSpan();
        var ts = t.AsSpan();
        var ws = w is null ? default : w.AsSpan();
        float keep = 1f - smoothing, spread = smoothing / c;

        bool records = GradMode.Records(x, t);
        // One batched log-softmax kernel call; backward recovers the softmax with one Exp over it.
        var logProbs = records ? Tensor.Scoped(x.Shape) : Tensor.RentWorkspace(x.Shape);
        var lp = logProbs.AsSpan();
        SoftmaxKernels.LogSoftmax(xs, n, c, lp);
        var perRow = reduction == Reduction.None ? Tensor.Scoped(new Shape(n)) : null;
        double total = 0, denominator = 0;
        for (int r = 0; r < n; r++)
        {
            var row = lp.Slice(r * c, c);
            double loss;
            if (indexTargets)
            {
                if (ts[r] == ignoreIndex)
                {
                    if (perRow is not null) perRow.AsSpan()[r] = 0f;
                    continue;
                }
                int k = LossSupport.ClassIndex(nameof(CrossEntropyLoss), ts, r, c, ignoreIndex);
                double wt = w is null ? 1.0 : ws[k];
                loss = -keep * wt * row[k];
                denominator += wt;
                if (smoothing != 0f) loss -= spread * (w is null ? Primitives.Sum(row) : Primitives.Dot(ws, row));
            }
            else
            {
                var q = ts.Slice(r * c, c);
                loss = 0;
                for (int j = 0; j < c; j++) loss -= (w is null ? 1.0 : ws[j]) * (keep * q[j] + spread) * row[j];
                denominator += 1;
            }

            total += loss;
            if (perRow is not null) perRow.AsSpan()[r] = (float)loss;
        }

        if (!records) Tensor.ReturnWorkspace(logProbs);
        float scale = reduction == Reduction.Mean ? (float)(1.0 / denominator) : 1f;
        var y = perRow ?? Tensor.Scoped(new Shape());
        if (perRow is null) y.AsSpan()[0] = (float)(total * scale);
        if (!records) return y;

        var node = CrossEntropyNode.Rent();
        node.SetInput(0, x);
        node.SetInput(1, t);
        node.LogProbs = logProbs;
        node.Weight = w;
        node.Keep = keep;
        node.Spread = spread;
        node.IndexTargets = indexTargets;
        node.PerRow = perRow is not null;
        node.Scale = scale;
        node.IgnoreIndex = ignoreIndex;
        return GradMode.Attach(node, y);
    }

    private sealed class CrossEntropyNode : Node<CrossEntropyNode>
    {
        public Tensor? LogProbs, Weight;
        public float Keep, Spread, Scale;
        public bool IndexTargets, PerRow;
        public int IgnoreIndex;

        public override string Name => "CrossEntropyBackward";

        protected override void ClearSaved()
        {
            LogProbs = null;
            Weight = null;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var lp = LogProbs!.AsSpan();
            var t = Input(1).AsSpan();
            var w = Weight is null ? default : Weight.AsSpan();
            var g = grad.AsSpan();
            int n = Input(0).Shape[0], c = Input(0).Shape[1];
            float wSum = Weight is null ? c : Primitives.Sum(w);

            if (Needs(0))
            {
                var dxTensor = GradFor(0, out bool acc);
                var work = acc ? Tensor.RentWorkspace(dxTensor.Shape) : dxTensor;
                var dx = work.AsSpan();
                Primitives.Exp(lp, dx);
                if (IndexTargets && !PerRow && Spread == 0f && w.IsEmpty)
                {
                    // The common case: dx = (softmax − onehot)·g/N, one scaling pass plus one store per row.
                    float k = g[0] * Scale;
                    Primitives.Multiply(dx, k, dx);
                    for (int r = 0; r < n; r++)
                    {
                        int cls = (int)t[r];
                        if (cls == IgnoreIndex) dx.Slice(r * c, c).Clear();
                        else dx[r * c + cls] -= k;
                    }
                }
                else
                {
                    for (int r = 0; r < n; r++)
                    {
                        float k = (PerRow ? g[r] : g[0]) * Scale;
                        var d = dx.Slice(r * c, c);
                        if (IndexTargets)
                        {
                            int cls = (int)t[r];
                            if (cls == IgnoreIndex)
                            {
                                d.Clear();
                                continue;
                            }
                            float wt = w.IsEmpty ? 1f : w[cls];
                            float total = Keep * wt + Spread * wSum;
                            Primitives.Multiply(d, k * total, d);
                            d[cls] -= k * Keep * wt;
                            if (Spread != 0f)
                            {
                                if (w.IsEmpty) Primitives.Subtract(d, k * Spread, d);
                                else Primitives.MultiplyAdd(w, -k * Spread, d, d);
                            }
                        }
                        else
                        {
                            var q = t.Slice(r * c, c);
                            float total = 0f;
                            for (int j = 0; j < c; j++) total += (w.IsEmpty ? 1f : w[j]) * (Keep * q[j] + Spread);
                            Primitives.Multiply(d, k * total, d);
                            for (int j = 0; j < c; j++) d[j] -= k * (w.IsEmpty ? 1f : w[j]) * (Keep * q[j] + Spread);
                        }
                    }
                }

                if (acc)
                {
                    Primitives.Add(dxTensor.AsSpan(), dx, dxTensor.AsSpan());
                    Tensor.ReturnWorkspace(work);
                }
            }

            if (!IndexTargets && Needs(1))
            {
                var dt = GradFor(1, out bool acc).AsSpan();
                for (int r = 0; r < n; r++)
                {
                    float k = (PerRow ? g[r] : g[0]) * Scale;
                    for (int j = 0; j < c; j++)
                    {
                        int i = r * c + j;
                        float v = -k * Keep * (w.IsEmpty ? 1f : w[j]) * lp[i];
                        dt[i] = acc ? dt[i] + v : v;
                    }
                }
            }
        }
    }
}
