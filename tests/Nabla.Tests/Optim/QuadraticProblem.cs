using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

/// <summary>
/// The fixed problem shared with reference/make_optim_reference.py: f(p) = ½·Σ a⊙(p − c)² over two
/// parameters ([2, 2] and [3]), gradient a⊙(p − c), written directly into Grad (no autograd needed).
/// </summary>
internal static class QuadraticProblem
{
    public static readonly float[] A = [1.0f, 2.0f, 0.5f, 3.0f, 0.8f, 1.5f, 4.0f];
    public static readonly float[] C = [0.3f, -0.2f, 1.0f, 0.5f, 0.0f, 1.0f, -0.5f];
    public static readonly float[] Start = [1.0f, -1.0f, 0.5f, 2.0f, -0.5f, 0.25f, 1.5f];

    public static Tensor[] Parameters()
    {
        var p0 = Tensor.Owned(new Shape(2, 2));
        var p1 = Tensor.Owned(new Shape(3));
        Start.AsSpan(0, 4).CopyTo(p0.AsSpan());
        Start.AsSpan(4).CopyTo(p1.AsSpan());
        p0.RequiresGrad = p1.RequiresGrad = true;
        return [p0, p1];
    }

    /// <summary>Writes the gradient a⊙(p − c) into each parameter's Grad (allocated once).</summary>
    public static void SetGradients(Tensor[] ps)
    {
        int k = 0;
        foreach (var p in ps)
        {
            p.Grad ??= Tensor.Owned(p.Shape);
            var v = p.AsSpan();
            var g = p.Grad.AsSpan();
            for (int i = 0; i < v.Length; i++, k++) g[i] = A[k] * (v[i] - C[k]);
        }
    }

    public static float[] Flatten(Tensor[] ps) => [.. ps[0].ToArray(), .. ps[1].ToArray()];

    /// <summary>Runs <paramref name="steps"/> steps of <paramref name="optimizer"/> on its parameters.</summary>
    public static void Run(Optimizer optimizer, Tensor[] ps, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            SetGradients(ps);
            optimizer.Step();
        }
    }
}
