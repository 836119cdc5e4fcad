using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// The Fréchet distance between two sets of feature vectors, each summarized as a Gaussian (mean and
/// covariance): the measure behind FID (Heusel et al. 2017), computed on any feature extractor.
/// d² = ‖μ₁ − μ₂‖² + tr(Σ₁) + tr(Σ₂) − 2·tr((Σ₁^½ Σ₂ Σ₁^½)^½); covariances are unbiased (N − 1),
/// as numpy's <c>cov</c> that pytorch-fid uses. Everything is computed in double; the matrix square
/// roots come from the eigenvalues of symmetric matrices (cyclic Jacobi), so no complex parts arise.
/// </summary>
public static class FrechetDistance
{
    /// <summary>d² between the rows of <paramref name="a"/> [N, D] and of <paramref name="b"/> [M, D].</summary>
    /// <exception cref="ShapeMismatchException">The inputs are not 2-D, differ in D, or have fewer than 2 rows.</exception>
    public static double Compute(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2 || a.Shape[1] != b.Shape[1] || a.Shape[0] < 2 || b.Shape[0] < 2)
            throw new ShapeMismatchException($"Fréchet distance needs two feature sets [N, D] and [M, D] with at least 2 rows each, got {a.Shape} and {b.Shape}");
        var (meanA, covA) = Moments(a);
        var (meanB, covB) = Moments(b);
        int d = meanA.Length;
        double distance = 0;
        for (int i = 0; i < d; i++) distance += (meanA[i] - meanB[i]) * (meanA[i] - meanB[i]) + covA[i * d + i] + covB[i * d + i];
        var rootA = SquareRoot(covA, d);
        var product = Multiply(Multiply(rootA, covB, d), rootA, d);
        Symmetrize(product, d);
        double traceRoot = 0;
        foreach (var lambda in Eigenvalues(product, d)) traceRoot += Math.Sqrt(Math.Max(lambda, 0));
        return Math.Max(distance - 2 * traceRoot, 0);
    }

    private static (double[] Mean, double[] Covariance) Moments(Tensor x)
    {
        int n = x.Shape[0], d = x.Shape[1];
        var values = x.ToArray();
        var mean = new double[d];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < d; c++) mean[c] += values[r * d + c];
        for (int c = 0; c < d; c++) mean[c] /= n;
        var cov = new double[d * d];
        var centred = new double[d];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < d; c++) centred[c] = values[r * d + c] - mean[c];
            for (int i = 0; i < d; i++)
            {
                double ci = centred[i];
                for (int j = i; j < d; j++) cov[i * d + j] += ci * centred[j];
            }
        }
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++) cov[j * d + i] = cov[i * d + j] /= n - 1;
        return (mean, cov);
    }

    /// <summary>S^½ = V·diag(√max(λ, 0))·Vᵀ of a symmetric positive semi-definite S.</summary>
    private static double[] SquareRoot(double[] s, int d)
    {
        var work = (double[])s.Clone();
        var vectors = Jacobi(work, d);
        var root = new double[d * d];
        for (int k = 0; k < d; k++)
        {
            double r = Math.Sqrt(Math.Max(work[k * d + k], 0));
            for (int i = 0; i < d; i++)
            {
                double vik = vectors[i * d + k] * r;
                for (int j = 0; j < d; j++) root[i * d + j] += vik * vectors[j * d + k];
            }
        }
        return root;
    }

    private static double[] Eigenvalues(double[] s, int d)
    {
        var work = (double[])s.Clone();
        Jacobi(work, d);
        var lambda = new double[d];
        for (int i = 0; i < d; i++) lambda[i] = work[i * d + i];
        return lambda;
    }

    /// <summary>
    /// Diagonalizes the symmetric <paramref name="a"/> in place by cyclic Jacobi rotations (its diagonal
    /// ends as the eigenvalues) and returns the eigenvectors as the columns of V.
    /// </summary>
    private static double[] Jacobi(double[] a, int d)
    {
        var v = new double[d * d];
        for (int i = 0; i < d; i++) v[i * d + i] = 1;
        double scale = 0;
        for (int i = 0; i < d * d; i++) scale += a[i] * a[i];
        if (scale == 0) return v;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < d; p++)
                for (int q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
            if (off <= 1e-30 * scale) break;
            for (int p = 0; p < d; p++)
                for (int q = p + 1; q < d; q++)
                {
                    double apq = a[p * d + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    // The rotation angle that zeroes a[p, q]: t = tan θ, the smaller root of t² + 2τt − 1 = 0.
                    double tau = (a[q * d + q] - a[p * d + p]) / (2 * apq);
                    double t = Math.Sign(tau == 0 ? 1 : tau) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
                    double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
                    for (int k = 0; k < d; k++)
                    {
                        double akp = a[k * d + p], akq = a[k * d + q];
                        a[k * d + p] = c * akp - s * akq;
                        a[k * d + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++)
                    {
                        double apk = a[p * d + k], aqk = a[q * d + k];
                        a[p * d + k] = c * apk - s * aqk;
                        a[q * d + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < d; k++)
                    {
                        double vkp = v[k * d + p], vkq = v[k * d + q];
                        v[k * d + p] = c * vkp - s * vkq;
                        v[k * d + q] = s * vkp + c * vkq;
                    }
                }
        }
        return v;
    }

    private static double[] Multiply(double[] x, double[] y, int d)
    {
        var z = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++)
            {
                double xik = x[i * d + k];
                for (int j = 0; j < d; j++) z[i * d + j] += xik * y[k * d + j];
            }
        return z;
    }

    private static void Symmetrize(double[] m, int d)
    {
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++) m[i * d + j] = m[j * d + i] = 0.5 * (m[i * d + j] + m[j * d + i]);
    }
}
