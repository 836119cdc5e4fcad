using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nabla.Optim;

/// <summary>
/// The moment update and step shared by <see cref="Adam"/> and <see cref="AdamW"/>, written in
/// the same operation order as <c>torch.optim</c> so results agree to float rounding:
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; [v̂max ← max(v̂max, v)];
/// p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε).
/// </summary>
internal static class AdamUpdate
{
    public const string ExpAvg = "exp_avg", ExpAvgSq = "exp_avg_sq", MaxExpAvgSq = "max_exp_avg_sq";

    public static void Apply(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax,
        float lr, float beta1, float beta2, float eps, int step, Span<float> scratch)
    {
        TensorPrimitives.Multiply(m, beta1, m);
        TensorPrimitives.MultiplyAdd(g, 1f - beta1, m, m);
        TensorPrimitives.Multiply(v, beta2, v);
        TensorPrimitives.Multiply(g, g, scratch);
        TensorPrimitives.MultiplyAdd(scratch, 1f - beta2, v, v);

        double biasCorrection1 = 1.0 - Math.Pow(beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(beta2, step);
        float stepSize = (float)(lr / biasCorrection1);
        float bc2Sqrt = (float)Math.Sqrt(biasCorrection2);
        ReadOnlySpan<float> second = v;
        if (!vMax.IsEmpty)
        {
            TensorPrimitives.Max(vMax, v, vMax);
            second = vMax;
        }

        TensorPrimitives.Sqrt(second, scratch);
        TensorPrimitives.Divide(scratch, bc2Sqrt, scratch);
        TensorPrimitives.Add(scratch, eps, scratch);
        TensorPrimitives.Divide(m, scratch, scratch);
        TensorPrimitives.MultiplyAdd(scratch, -stepSize, p, p);
    }
}
