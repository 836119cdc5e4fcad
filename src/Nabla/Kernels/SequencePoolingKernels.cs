using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Global pooling over the time axis of a sequence batch <c>x [N, T, C]</c> (channels last, as
/// Keras), optionally ignoring padding: <c>mask [N, T]</c> marks real positions with a non-zero
/// value and padding with 0; an empty mask means every position is real. A row whose positions
/// are all padding pools to zeros.
/// </summary>
public static class SequencePoolingKernels
{
    /// <summary>y[i, c] = Σ_{t real} x[i, t, c] / (number of real t), 0 when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mean(ReadOnlySpan<float> x, int n, int t, int c, ReadOnlySpan<float> mask, Span<float> y)
    {
        Check(x.Length, n, t, c, mask.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            var row = y.Slice(i * c, c);
            row.Clear();
            int count = 0;
            for (int s = 0; s < t; s++)
            {
                if (mask.Length != 0 && mask[i * t + s] == 0f) continue;
                count++;
                Primitives.Add(row, x.Slice((i * t + s) * c, c), row);
            }
            if (count > 1) Primitives.Multiply(row, 1f / count, row);
        }
    }

    /// <summary>
    /// Gradient of <see cref="Mean"/>: dx[i, t, :] = g[i, :] / count at real positions, 0 at padding;
    /// added to <paramref name="dx"/> when <paramref name="accumulate"/>, else written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MeanGrad(ReadOnlySpan<float> g, int n, int t, int c, ReadOnlySpan<float> mask, Span<float> dx, bool accumulate)
    {
        Check(dx.Length, n, t, c, mask.Length, g.Length);
        for (int i = 0; i < n; i++)
        {
            int count = t;
            if (mask.Length != 0)
            {
                count = 0;
                for (int s = 0; s < t; s++) if (mask[i * t + s] != 0f) count++;
            }
            float scale = count == 0 ? 0f : 1f / count;
            var gi = g.Slice(i * c, c);
            for (int s = 0; s < t; s++)
            {
                var d = dx.Slice((i * t + s) * c, c);
                bool real = mask.Length == 0 || mask[i * t + s] != 0f;
                if (!real)
                {
                    if (!accumulate) d.Clear();
                }
                else if (accumulate)
                {
                    Primitives.MultiplyAdd(gi, scale, d, d);
                }
                else
                {
                    Primitives.Multiply(gi, scale, d);
                }
            }
        }
    }

    /// <summary>
    /// y[i, c] = max over real t of x[i, t, c]; <paramref name="argmax"/>[i, c] receives the first such
    /// t, or −1 (and y = 0) when the row has no real position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Max(ReadOnlySpan<float> x, int n, int t, int c, ReadOnlySpan<float> mask, Span<float> y, Span<int> argmax)
    {
        Check(x.Length, n, t, c, mask.Length, y.Length);
        Guard.AtLeast(argmax.Length, (long)n * c, "argmax");
        for (int i = 0; i < n; i++)
        {
            var row = y.Slice(i * c, c);
            var arg = argmax.Slice(i * c, c);
            arg.Fill(-1);
            row.Clear();
            for (int s = 0; s < t; s++)
            {
                if (mask.Length != 0 && mask[i * t + s] == 0f) continue;
                var xs = x.Slice((i * t + s) * c, c);
                for (int j = 0; j < c; j++)
                {
                    // NaN wins, so it propagates as in torch.max.
                    if (arg[j] < 0 || xs[j] > row[j] || (float.IsNaN(xs[j]) && !float.IsNaN(row[j])))
                    {
                        row[j] = xs[j];
                        arg[j] = s;
                    }
                }
            }
        }
    }

    /// <summary>Gradient of <see cref="Max"/>: g[i, c] goes to x[i, argmax[i, c], c]; written or added as <paramref name="accumulate"/> says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxGrad(ReadOnlySpan<float> g, int n, int t, int c, ReadOnlySpan<int> argmax, Span<float> dx, bool accumulate)
    {
        Guard.Exactly(dx.Length, "dx", n, t, c);
        Guard.Exactly(g.Length, "g", n, c);
        if (!accumulate) dx.Clear();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
            {
                int s = argmax[i * c + j];
                if (s >= 0) dx[(i * t + s) * c + j] += g[i * c + j];
            }
    }

    private static void Check(int xLength, int n, int t, int c, int maskLength, int yLength)
    {
        Guard.Exactly(xLength, "x", n, t, c);
        Guard.Exactly(yLength, "y", n, c);
        if (maskLength != 0) Guard.Exactly(maskLength, "mask", n, t);
    }
}
