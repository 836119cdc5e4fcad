using System.Runtime.CompilerServices;
namespace Nabla.Kernels;

/// <summary>
/// Batch normalization over [N, C, S] data (S = H·W for images, 1 for features): per-channel
/// statistics over N and S, <c>y = γ·(x − μ)·σ⁻¹ + β</c> with <c>σ⁻¹ = 1/√(var + ε)</c>.
/// </summary>
public static class BatchNormKernels
{
    /// <summary>
    /// Per-channel mean and biased variance over N·S values (accumulated in double so large batches
    /// do not lose precision): <c>μ_c = Σx/M</c>, <c>var_c = Σ(x − μ_c)²/M</c>, M = N·S.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Statistics(ReadOnlySpan<float> x, int n, int c, int s, Span<float> mean, Span<float> variance)
    {
        Guard.AtLeast(x.Length, (long)n * c * s, "x");
        long m = (long)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += Primitives.Sum(x.Slice((i * c + ch) * s, s));
            double mu = sum / m, sq = 0;
            for (int i = 0; i < n; i++)
            {
                var row = x.Slice((i * c + ch) * s, s);
                for (int k = 0; k < row.Length; k++) { double d = row[k] - mu; sq += d * d; }
            }
            mean[ch] = (float)mu;
            variance[ch] = (float)(sq / m);
        }
    }

    /// <summary>y = γ_c·(x − μ_c)·invStd_c + β_c, i.e. one multiply-add per element with per-channel scale and shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<float> x, int n, int c, int s, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y)
    {
        for (int ch = 0; ch < c; ch++)
        {
            float scale = gamma[ch] * invStd[ch];
            float shift = beta[ch] - mean[ch] * scale;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                var dst = y.Slice(at, s);
                Primitives.Multiply(x.Slice(at, s), scale, dst);
                Primitives.Add(dst, shift, dst);
            }
        }
    }

    /// <summary>
    /// Gradients given dy. Per channel: dβ = Σdy, dγ = Σdy·x̂ with x̂ = (x − μ)·invStd. With batch
    /// statistics (<paramref name="batchStatistics"/>): dx = γ·invStd·(dy − dβ/M − x̂·dγ/M);
    /// with fixed running statistics: dx = γ·invStd·dy. Targets are overwritten or added to per flag;
    /// a null span skips that gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, int c, int s,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, ReadOnlySpan<float> gamma, bool batchStatistics,
        Span<float> dx, bool accumulateDx, Span<float> dgamma, bool accumulateDgamma, Span<float> dbeta, bool accumulateDbeta)
    {
        long m = (long)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double sumDy = 0, sumDyX = 0;
            float mu = mean[ch], inv = invStd[ch];
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                var g = dy.Slice(at, s);
                var xr = x.Slice(at, s);
                sumDy += Primitives.Sum(g);
                sumDyX += Primitives.Dot(g, xr);
            }
            // Σdy·x̂ = invStd·(Σdy·x − μ·Σdy).
            double dGamma = inv * (sumDyX - mu * sumDy);
            if (!dbeta.IsEmpty) dbeta[ch] = (float)(accumulateDbeta ? dbeta[ch] + sumDy : sumDy);
            if (!dgamma.IsEmpty) dgamma[ch] = (float)(accumulateDgamma ? dgamma[ch] + dGamma : dGamma);
            if (dx.IsEmpty) continue;
            float k = gamma[ch] * inv;
            // dx = k·dy + a·x + b, with a = −k·invStd·dγ/M and b = −k·(dβ/M) − a·μ in the batch case.
            float a = batchStatistics ? (float)(-k * inv * dGamma / m) : 0f;
            float b = batchStatistics ? (float)(-k * sumDy / m) - a * mu : 0f;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                var g = dy.Slice(at, s);
                var xr = x.Slice(at, s);
                var d = dx.Slice(at, s);
                for (int e = 0; e < s; e++)
                {
                    float v = k * g[e] + a * xr[e] + b;
                    d[e] = accumulateDx ? d[e] + v : v;
                }
            }
        }
    }
}
