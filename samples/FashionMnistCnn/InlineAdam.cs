using Nabla.Tensors;

namespace FashionMnistCnn;

/// <summary>
/// Adam (Kingma &amp; Ba) over spans, kept in the sample until the library's optimizer is on main:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂/(√v̂ + ε) with bias-corrected m̂, v̂.
/// </summary>
internal sealed class InlineAdam(IReadOnlyList<Tensor> parameters, float lr, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
{
    private readonly float[][] _m = parameters.Select(p => new float[p.Numel]).ToArray();
    private readonly float[][] _v = parameters.Select(p => new float[p.Numel]).ToArray();
    private int _t;

    public void Step()
    {
        _t++;
        float c1 = 1 - MathF.Pow(beta1, _t), c2 = 1 - MathF.Pow(beta2, _t);
        float step = lr / c1, rootC2 = MathF.Sqrt(c2);
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            var theta = parameters[i].AsSpan();
            var grad = g.AsSpan();
            var m = _m[i].AsSpan();
            var v = _v[i].AsSpan();
            for (int k = 0; k < theta.Length; k++)
            {
                float gk = grad[k];
                m[k] = beta1 * m[k] + (1 - beta1) * gk;
                v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
                theta[k] -= step * m[k] / (MathF.Sqrt(v[k]) / rootC2 + eps);
            }
        }
    }
}
