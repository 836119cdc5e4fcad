using System.Runtime.CompilerServices;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>
/// Fused, overflow-free binary cross-entropy on logits with its backward rule:
/// ℓ = (1 − t)·x + w·sp, sp = softplus(−x), w = 1 + (p − 1)·t;
/// ∂ℓ/∂x = (1 − t) − w·σ(−x), ∂ℓ/∂t = −x + (p − 1)·sp.
/// </summary>
internal static class BinaryCrossEntropyWithLogitsOp
{
    /// <summary>Loss of logits against targets of the same shape, optional positive weights over the last axis.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Apply(Tensor logits, Tensor target, Tensor? posWeight, Reduction reduction)
    {
        var x = logits.Contiguous();
        var t = target.Contiguous();
        var pw = posWeight?.Contiguous();
        var xs = x.AsSpan();
        var ts = t.AsSpan();
        var ps = pw is null ? default : pw.AsSpan();
        int n = x.Numel;
        var perElement = reduction == Reduction.None ? Tensor.Scoped(x.Shape) : null;
        double total = 0;
        if (ps.IsEmpty)
        {
            // Without positive weights ℓ = x − t·x + softplus(−x): three vector passes.
            var l = perElement ?? Tensor.RentWorkspace(x.Shape);
            var ls = l.AsSpan();
            Primitives.Negate(xs, ls);
            Activations.Softplus(ls, ls);
            Primitives.Add(ls, xs, ls);
            var tx = Tensor.RentWorkspace(x.Shape);
            Primitives.Multiply(ts, xs, tx.AsSpan());
            Primitives.Subtract(ls, tx.AsSpan(), ls);
            Tensor.ReturnWorkspace(tx);
            total = Reductions.Sum(ls);
            if (perElement is null) Tensor.ReturnWorkspace(l);
        }
        for (int i = 0; !ps.IsEmpty && i < n; i++)
        {
            float xi = xs[i], ti = ts[i];
            float sp = SoftplusOfNegative(xi);
            float wi = ps.IsEmpty ? 1f : 1f + (ps[i % ps.Length] - 1f) * ti;
            float l = (1f - ti) * xi + wi * sp;
            total += l;
            if (perElement is not null) perElement.AsSpan()[i] = l;
        }

        float scale = reduction == Reduction.Mean ? 1f / Math.Max(n, 1) : 1f;
        var y = perElement ?? Tensor.Scoped(new Shape());
        if (perElement is null) y.AsSpan()[0] = (float)(reduction == Reduction.Mean ? total / Math.Max(n, 1) : total);
        if (!GradMode.Records(x, t)) return y;

        var node = BceNode.Rent();
        node.SetInput(0, x);
        node.SetInput(1, t);
        node.PosWeight = pw;
        node.Scale = scale;
        node.PerElement = perElement is not null;
        return GradMode.Attach(node, y);
    }

    /// <summary>softplus(−x) = ln(1 + e^(−x)) = max(−x, 0) + ln(1 + e^(−|x|)), never overflowing.</summary>
    private static float SoftplusOfNegative(float x) => MathF.Max(-x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    private sealed class BceNode : Node<BceNode>
    {
        private void ApplyUpstream(Span<float> d, ReadOnlySpan<float> g)
        {
            if (PerElement) Primitives.Multiply(d, g, d);
            Primitives.Multiply(d, PerElement ? Scale : g[0] * Scale, d);
        }

        private static void Store(ReadOnlySpan<float> d, Span<float> target, bool accumulate)
        {
            if (accumulate) Primitives.Add(target, d, target);
            else d.CopyTo(target);
        }

        public Tensor? PosWeight;
        public float Scale;
        public bool PerElement;

        public override string Name => "BinaryCrossEntropyWithLogitsBackward";

        protected override void ClearSaved() => PosWeight = null;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var x = Input(0).AsSpan();
            var t = Input(1).AsSpan();
            var p = PosWeight is null ? default : PosWeight.AsSpan();
            var g = grad.AsSpan();
            bool accX = false, accT = false;
            var dx = Needs(0) ? GradFor(0, out accX).AsSpan() : default;
            var dt = Needs(1) ? GradFor(1, out accT).AsSpan() : default;
            if (p.IsEmpty)
            {
                // Without positive weights ∂ℓ/∂x = σ(x) − t and ∂ℓ/∂t = −x.
                var tmp = Tensor.RentWorkspace(Input(0).Shape);
                var d = tmp.AsSpan();
                if (!dx.IsEmpty)
                {
                    Activations.Sigmoid(x, d);
                    Primitives.Subtract(d, t, d);
                    ApplyUpstream(d, g);
                    Store(d, dx, accX);
                }
                if (!dt.IsEmpty)
                {
                    Primitives.Negate(x, d);
                    ApplyUpstream(d, g);
                    Store(d, dt, accT);
                }
                Tensor.ReturnWorkspace(tmp);
                return;
            }
            for (int i = 0; i < x.Length; i++)
            {
                float k = (PerElement ? g[i] : g[0]) * Scale;
                float xi = x[i], ti = t[i];
                float pi = p.IsEmpty ? 1f : p[i % p.Length];
                if (!dx.IsEmpty)
                {
                    // σ(−x) computed from e^(−|x|) so neither branch overflows.
                    float e = MathF.Exp(-MathF.Abs(xi));
                    float sigNeg = xi >= 0 ? e / (1f + e) : 1f / (1f + e);
                    float wi = 1f + (pi - 1f) * ti;
                    float v = k * ((1f - ti) - wi * sigNeg);
                    dx[i] = accX ? dx[i] + v : v;
                }

                if (!dt.IsEmpty)
                {
                    float v = k * (-xi + (pi - 1f) * SoftplusOfNegative(xi));
                    dt[i] = accT ? dt[i] + v : v;
                }
            }
        }
    }
}
