using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Softmax and log-softmax along the last axis of a row-major [rows, cols] matrix, and their backward passes.
/// </summary>
/// <remarks>
/// Every row is shifted by its maximum before exponentiating, so inputs like ±1e4 neither overflow
/// nor lose the row to underflow. Outputs may be the same span as the input (in place).
/// </remarks>
public static class SoftmaxKernels
{
    /// <summary>y[r, c] = e^(x[r, c] − m_r) / Σⱼ e^(x[r, j] − m_r), with m_r = maxⱼ x[r, j].</summary>
    /// <param name="src">Logits x, [rows, cols].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Length of the softmax axis.</param>
    /// <param name="dst">Probabilities y, [rows, cols]; each row sums to 1.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        CheckPair(src, dst, rows, cols, nameof(src), nameof(dst));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> x = src.Slice(r * cols, cols);
            Span<float> y = dst.Slice(r * cols, cols);
            if (cols == 0)
            {
                continue;
            }

            float m = Primitives.Max(x);
            Primitives.Subtract(x, m, y);
            Primitives.Exp(y, y);
            Primitives.Divide(y, Primitives.Sum(y), y);
        }
    }

    /// <summary>y[r, c] = (x[r, c] − m_r) − ln Σⱼ e^(x[r, j] − m_r), with m_r = maxⱼ x[r, j].</summary>
    /// <param name="src">Logits x, [rows, cols].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Length of the softmax axis.</param>
    /// <param name="dst">Log-probabilities y, [rows, cols].</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmax(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst) =>
        LogSoftmax(src, rows, cols, dst, KernelPaths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void LogSoftmax(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, KernelPath path)
    {
        CheckPair(src, dst, rows, cols, nameof(src), nameof(dst));
        // Rows are independent: a large batch is split across threads, each row computed whole.
        LogSoftmaxSplit.Run(src, rows, cols, dst, path);
    }

    /// <summary>The serial loop of <see cref="LogSoftmax(ReadOnlySpan{float}, int, int, Span{float})"/> over rows of checked spans.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void LogSoftmaxRows(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, KernelPath path)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> x = src.Slice(r * cols, cols);
            Span<float> y = dst.Slice(r * cols, cols);
            if (cols == 0)
            {
                continue;
            }

            // The sum of exponentials is reduced without storing them, so dst may alias src;
            // subtracting m and ln s separately keeps x − m exact when m is large.
            float m = Primitives.Max(x);
            float logSum = MathF.Log(SumExpShifted(x, m, path));
            Primitives.Subtract(x, m, y);
            Primitives.Subtract(y, logSum, y);
        }
    }

    /// <summary>Softmax backward from the output: dx[r, c] = y[r, c]·(g[r, c] − Σⱼ g[r, j]·y[r, j]).</summary>
    /// <param name="y">Softmax output, [rows, cols].</param>
    /// <param name="g">Upstream gradient ∂L/∂y, [rows, cols].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Length of the softmax axis.</param>
    /// <param name="dx">Gradient ∂L/∂x, [rows, cols], written or accumulated; may be the same span as g when not accumulating.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, int rows, int cols, Span<float> dx, bool accumulate = false) =>
        SoftmaxGrad(y, g, rows, cols, dx, accumulate, KernelPaths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SoftmaxGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, int rows, int cols, Span<float> dx, bool accumulate, KernelPath path)
    {
        CheckGrad(y, g, dx, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols);
            ReadOnlySpan<float> gr = g.Slice(r * cols, cols);
            float dot = Primitives.Dot(gr, yr);
            VectorDriver.Binary(new SoftmaxGradOp(dot), yr, gr, dx.Slice(r * cols, cols), accumulate, path);
        }
    }

    /// <summary>Log-softmax backward from the output: dx[r, c] = g[r, c] − e^(y[r, c])·Σⱼ g[r, j].</summary>
    /// <param name="y">Log-softmax output, [rows, cols].</param>
    /// <param name="g">Upstream gradient ∂L/∂y, [rows, cols].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Length of the softmax axis.</param>
    /// <param name="dx">Gradient ∂L/∂x, [rows, cols], written or accumulated; may be the same span as g when not accumulating.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmaxGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, int rows, int cols, Span<float> dx, bool accumulate = false) =>
        LogSoftmaxGrad(y, g, rows, cols, dx, accumulate, KernelPaths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void LogSoftmaxGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, int rows, int cols, Span<float> dx, bool accumulate, KernelPath path)
    {
        CheckGrad(y, g, dx, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols);
            ReadOnlySpan<float> gr = g.Slice(r * cols, cols);
            float sum = Primitives.Sum(gr);
            VectorDriver.Binary(new LogSoftmaxGradOp(sum), yr, gr, dx.Slice(r * cols, cols), accumulate, path);
        }
    }

    /// <summary>Σ e^(x[i] − shift), without storing the exponentials.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float SumExpShifted(ReadOnlySpan<float> x, float shift, KernelPath path)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length;
        int i = 0;
        // Lane sums stay float (each lane sees 1/8 or 1/16 of the row); the running total and the
        // scalar tail are double so a long scalar run does not drift.
        double total = 0;
        if (path == KernelPath.Vector512)
        {
            Vector512<float> s = Vector512.Create(shift);
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc += Vector512.Exp(Vector512.LoadUnsafe(ref xr, (nuint)i) - s);
            }

            total += Vector512.Sum(acc);
        }

        if (path >= KernelPath.Vector256)
        {
            Vector256<float> s = Vector256.Create(shift);
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                acc += Vector256.Exp(Vector256.LoadUnsafe(ref xr, (nuint)i) - s);
            }

            total += Vector256.Sum(acc);
        }

        for (; i < n; i++)
        {
            total += MathF.Exp(x[i] - shift);
        }

        return (float)total;
    }

    private static void CheckPair(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int cols, string aName, string bName)
    {
        Guard.Dims(rows, cols, nameof(rows), nameof(cols));
        Guard.Exactly(a.Length, aName, rows, cols);
        Guard.Exactly(b.Length, bName, rows, cols);
    }

    private static void CheckGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, ReadOnlySpan<float> dx, int rows, int cols)
    {
        CheckPair(y, g, rows, cols, nameof(y), nameof(g));
        Guard.Exactly(dx.Length, nameof(dx), rows, cols);
    }

    private readonly struct SoftmaxGradOp(float dot) : IBinaryOp
    {
        private readonly float _dot = dot;

        public float Invoke(float y, float g) => y * (g - _dot);

        public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => y * (g - Vector256.Create(_dot));

        public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => y * (g - Vector512.Create(_dot));
    }

    private readonly struct LogSoftmaxGradOp(float sum) : IBinaryOp
    {
        private readonly float _sum = sum;

        public float Invoke(float y, float g) => MathF.FusedMultiplyAdd(-MathF.Exp(y), _sum, g);

        public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) =>
            Vector256.FusedMultiplyAdd(-Vector256.Exp(y), Vector256.Create(_sum), g);

        public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) =>
            Vector512.FusedMultiplyAdd(-Vector512.Exp(y), Vector512.Create(_sum), g);
    }
}
