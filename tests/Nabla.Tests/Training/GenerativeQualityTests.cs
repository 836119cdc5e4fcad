using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

public class GenerativeQualityTests
{
    private static Tensor Gaussian(int n, double[] mean, double[] sd, Rng rng)
    {
        int d = mean.Length;
        var z = Tensor.Randn(new Shape(n, d), rng).ToArray();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < d; c++) z[r * d + c] = (float)(mean[c] + sd[c] * z[r * d + c]);
        return Tensor.FromArray(z, n, d);
    }

    [Fact]
    public void Frechet_distance_of_diagonal_gaussians_is_the_closed_form_of_their_sample_moments()
    {
        // For diagonal covariances d² = Σ (μ₁ − μ₂)² + (σ₁ − σ₂)²; with sample moments the formula is exact.
        var rng = new Rng(1);
        var a = Gaussian(4000, [0, 1, -2], [1, 2, 0.5], rng);
        var b = Gaussian(3000, [1, 1, 0], [3, 1, 0.5], rng);
        var (ca, cb) = (Columns(a), Columns(b));
        double expected = 0;
        for (int i = 0; i < 3; i++) expected += Math.Pow(ca[i].Mean - cb[i].Mean, 2) + Math.Pow(ca[i].Sd - cb[i].Sd, 2);
        double distance = FrechetDistance.Compute(a, b);
        // The sample covariances are not exactly diagonal; their off-diagonal terms are O(1/√N).
        Assert.InRange(distance, expected - 0.05, expected + 0.05);
        Assert.InRange(expected, 9.5, 10.5); // population value: (1 + 0 + 4) + (4 + 1 + 0)
    }

    private static (double Mean, double Sd)[] Columns(Tensor x)
    {
        int n = x.Shape[0], d = x.Shape[1];
        var v = x.ToArray();
        var result = new (double, double)[d];
        for (int c = 0; c < d; c++)
        {
            double m = 0, s = 0;
            for (int r = 0; r < n; r++) m += v[r * d + c];
            m /= n;
            for (int r = 0; r < n; r++) s += (v[r * d + c] - m) * (v[r * d + c] - m);
            result[c] = (m, Math.Sqrt(s / (n - 1)));
        }
        return result;
    }

    [Fact]
    public void Frechet_distance_is_zero_for_the_same_set_and_unchanged_by_a_common_rotation()
    {
        var rng = new Rng(2);
        var a = Tensor.Randn(new Shape(500, 4), rng);
        var mix = Tensor.Randn(new Shape(4, 4), rng).ToArray(); // correlated features: not diagonal
        var b = Multiply(Tensor.Randn(new Shape(400, 4), rng), mix, 4);
        a = Multiply(a, mix, 4);
        Assert.InRange(FrechetDistance.Compute(a, a), 0, 1e-6);

        double angle = 0.7, c = Math.Cos(angle), s = Math.Sin(angle);
        float[] rotation = [(float)c, (float)-s, 0, 0, (float)s, (float)c, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
        double before = FrechetDistance.Compute(a, b), after = FrechetDistance.Compute(Multiply(a, rotation, 4), Multiply(b, rotation, 4));
        Assert.True(before > 0.1);
        Assert.InRange(after, before * (1 - 1e-4), before * (1 + 1e-4));
    }

    private static Tensor Multiply(Tensor x, float[] m, int d)
    {
        int n = x.Shape[0];
        var v = x.ToArray();
        var y = new float[n * d];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++)
            {
                double sum = 0;
                for (int k = 0; k < d; k++) sum += v[r * d + k] * m[k * d + j];
                y[r * d + j] = (float)sum;
            }
        return Tensor.FromArray(y, n, d);
    }

    [Fact]
    public void Measure_counts_covered_classes_and_averages_the_judges_confidence()
    {
        // The judge: identity features, then logits = 10·x (3 classes); images are one-hot-ish rows.
        var weights = new float[,] { { 10, 0, 0 }, { 0, 10, 0 }, { 0, 0, 10 } };
        var judge = new Sequential(new Identity(), Dense.FromWeights(Tensor.FromArray(weights)));
        var generated = new float[20 * 3];
        for (int r = 0; r < 20; r++) generated[r * 3 + (r < 19 ? r % 2 : 2)] = 1; // classes 0 and 1 nine or ten times, class 2 once
        var real = Tensor.Randn(new Shape(30, 3), new Rng(3));
        var quality = GenerativeQuality.Measure(judge, Tensor.FromArray(generated, 20, 3), real, minimumShare: 0.1);
        Assert.Equal([0.5, 0.45, 0.05], quality.ClassShares);
        Assert.Equal(2, quality.ClassCoverage);
        double p = 1 / (1 + 2 * Math.Exp(-10));
        Assert.Equal(p, quality.Confidence, 1e-6);
        Assert.True(quality.FrechetDistance > 0);
    }
}
