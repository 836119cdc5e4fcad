using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>Softmax cross-entropy over class-index targets, forward and gradient in one pass.</summary>
public static class CrossEntropyKernels
{
    /// <summary>
    /// Mean loss L = (1/R)·Σ_r [ln Σⱼ e^(x[r, j]) − x[r, t_r]] and, when <paramref name="dlogits"/> is
    /// not empty, dL/dx[r, c] = (softmax(x)[r, c] − [c = t_r]) / R. Computed with each row shifted by
    /// its maximum, so large logits neither overflow nor lose precision.
    /// </summary>
    /// <param name="logits">Unnormalized scores x, [rows, cols].</param>
    /// <param name="targets">Class index t_r in [0, cols) for every row.</param>
    /// <param name="rows">Number of rows R (the batch), at least 1.</param>
    /// <param name="cols">Number of classes, at least 1.</param>
    /// <param name="dlogits">Gradient of the mean loss, [rows, cols], overwritten; pass an empty span to skip it.</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target is outside [0, cols); the message names the row.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int cols, Span<float> dlogits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        Guard.Exactly(logits.Length, nameof(logits), rows, cols);
        Guard.Exactly(targets.Length, nameof(targets), rows);
        bool withGrad = !dlogits.IsEmpty;
        if (withGrad)
        {
            Guard.Exactly(dlogits.Length, nameof(dlogits), rows, cols);
        }

        float invRows = 1f / rows;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if ((uint)t >= (uint)cols)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), t, $"Target of row {r} is {t}, outside the {cols} classes [0, {cols}).");
            }

            ReadOnlySpan<float> x = logits.Slice(r * cols, cols);
            float m = Primitives.Max(x);
            float s = SoftmaxKernels.SumExpShifted(x, m, KernelPaths.Best);
            total += Math.Log(s) - ((double)x[t] - m);
            if (withGrad)
            {
                Span<float> d = dlogits.Slice(r * cols, cols);
                Primitives.Subtract(x, m, d);
                Primitives.Exp(d, d);
                Primitives.Multiply(d, invRows / s, d);
                d[t] -= invRows;
            }
        }

        return (float)(total / rows);
    }
}
