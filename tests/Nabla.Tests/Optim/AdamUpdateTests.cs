using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

public class AdamUpdateTests
{
    [Fact]
    public void One_pass_vector_update_equals_the_scalar_formula_bit_for_bit_for_every_length_to_100()
    {
        var rng = new Rng(5);
        foreach (bool ams in new[] { false, true })
            for (int n = 0; n <= 100; n++)
            {
                float[] p = Tensor.Randn(new Shape(n), rng).ToArray(), g = Tensor.Randn(new Shape(n), rng).ToArray();
                float[] m = Tensor.Randn(new Shape(n), rng).ToArray(), v = Tensor.Rand(new Shape(n), rng).ToArray();
                float[] x = Tensor.Rand(new Shape(n), rng).ToArray();
                float[] ep = (float[])p.Clone(), em = (float[])m.Clone(), ev = (float[])v.Clone(), ex = (float[])x.Clone();
                const float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
                const int step = 7;
                AdamUpdate.Apply(p, g, m, v, ams ? x : default, lr, b1, b2, eps, step);

                float stepSize = (float)(lr / (1.0 - Math.Pow(b1, step)));
                float bc2 = (float)Math.Sqrt(1.0 - Math.Pow(b2, step));
                for (int i = 0; i < n; i++)
                {
                    em[i] = g[i] * (1f - b1) + em[i] * b1;
                    ev[i] = g[i] * g[i] * (1f - b2) + ev[i] * b2;
                    float second = ev[i];
                    if (ams) second = ex[i] = MathF.Max(ex[i], ev[i]);
                    ep[i] = em[i] / (MathF.Sqrt(second) / bc2 + eps) * -stepSize + ep[i];
                }
                Assert.Equal(ep, p);
                Assert.Equal(em, m);
                Assert.Equal(ev, v);
                if (ams) Assert.Equal(ex, x);
            }
    }
}
