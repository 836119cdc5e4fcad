using Nabla.Tensors;

namespace Nabla.Training.Metrics;

/// <summary>Pure regression figures over all elements of two tensors of the same shape.</summary>
public static class RegressionMetrics
{
    /// <summary>Mean squared error, Σ(ŷ−y)²/n.</summary>
    public static double MeanSquaredError(Tensor predicted, Tensor actual)
    {
        var (p, a) = Read(predicted, actual);
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += (double)(p[i] - a[i]) * (p[i] - a[i]);
        return s / p.Length;
    }

    /// <summary>Mean absolute error, Σ|ŷ−y|/n.</summary>
    public static double MeanAbsoluteError(Tensor predicted, Tensor actual)
    {
        var (p, a) = Read(predicted, actual);
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += Math.Abs((double)p[i] - a[i]);
        return s / p.Length;
    }

    /// <summary>
    /// Coefficient of determination R² = 1 − Σ(y−ŷ)² / Σ(y−ȳ)² over all elements; 1 for a perfect
    /// fit, 0 for predicting the mean, negative when worse. NaN when y is constant.
    /// </summary>
    public static double R2(Tensor predicted, Tensor actual)
    {
        var (p, a) = Read(predicted, actual);
        double mean = 0;
        for (int i = 0; i < a.Length; i++) mean += a[i];
        mean /= a.Length;
        double res = 0, tot = 0;
        for (int i = 0; i < a.Length; i++)
        {
            res += (a[i] - (double)p[i]) * (a[i] - (double)p[i]);
            tot += (a[i] - mean) * (a[i] - mean);
        }
        return tot == 0 ? double.NaN : 1 - res / tot;
    }

    private static (float[] P, float[] A) Read(Tensor predicted, Tensor actual)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        if (predicted.Numel != actual.Numel || predicted.Numel == 0)
            throw new ShapeMismatchException($"regression metrics need two non-empty tensors with the same number of elements, got {predicted.Shape} and {actual.Shape}");
        return (predicted.ToArray(), actual.ToArray());
    }
}
