using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Layer normalization of each row of a row-major [rows, cols] matrix and its backward pass:
/// y = (x − μ)·r·γ + β with μ the row mean, σ² the biased row variance and r = 1/√(σ² + ε).
/// </summary>
/// <remarks>
/// Rows are spread over <see cref="WorkerPool"/> threads. The parameter gradients are sums over
/// rows; to keep them identical for every thread count the rows are cut into blocks of
/// <see cref="RowBlock"/> (independent of the thread count), each block sums its rows in order into
/// its own slot, and the slots are added in block order afterwards.
/// </remarks>
public static class LayerNormKernels
{
    /// <summary>Rows per parallel piece and per partial sum of the parameter gradients.</summary>
    internal const int RowBlock = 64;

    [ThreadStatic] private static ForwardWork? _forward;
    [ThreadStatic] private static BackwardWork? _backward;
    [ThreadStatic] private static float[]? _row;

    /// <summary>
    /// y[r, :] = (x[r, :] − μ_r)·r_r·γ + β for the [rows, cols] matrix x; writes μ_r to
    /// <paramref name="mean"/> and r_r = 1/√(σ²_r + ε) to <paramref name="rstd"/> for the backward
    /// pass. Empty <paramref name="gamma"/> / <paramref name="beta"/> mean γ = 1 / β = 0.
    /// </summary>
    public static void Forward(ReadOnlyMemory<float> x, int rows, int cols, ReadOnlyMemory<float> gamma, ReadOnlyMemory<float> beta,
        float eps, Memory<float> y, Memory<float> mean, Memory<float> rstd)
    {
        Check(x.Length, rows, cols, gamma.Length, beta.Length);
        Guard.Exactly(y.Length, nameof(y), rows, cols);
        Guard.AtLeast(mean.Length, rows, nameof(mean));
        Guard.AtLeast(rstd.Length, rows, nameof(rstd));
        if (rows == 0 || cols == 0) return;
        var work = _forward ??= new ForwardWork();
        work.X = x; work.Rows = rows; work.Cols = cols; work.Gamma = gamma; work.Beta = beta;
        work.Eps = eps; work.Y = y; work.Mean = mean; work.Rstd = rstd;
        try { WorkerPool.Run(work, Blocks(rows)); }
        finally { work.X = work.Gamma = work.Beta = default; work.Y = work.Mean = work.Rstd = default; }
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/> from g = ∂L/∂y, with x̂ = (x − μ)·r and ĝ = g·γ:
    /// dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dγ = Σ_rows g·x̂, dβ = Σ_rows g. Each target that is
    /// not empty is written, or added to when its accumulate flag is set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> g, int rows, int cols,
        ReadOnlyMemory<float> mean, ReadOnlyMemory<float> rstd, ReadOnlyMemory<float> gamma,
        Memory<float> dx, bool accumulateDx, Memory<float> dgamma, bool accumulateDgamma, Memory<float> dbeta, bool accumulateDbeta)
    {
        Check(x.Length, rows, cols, gamma.Length, 0);
        Guard.Exactly(g.Length, nameof(g), rows, cols);
        Guard.AtLeast(mean.Length, rows, nameof(mean));
        Guard.AtLeast(rstd.Length, rows, nameof(rstd));
        if (!dx.IsEmpty) Guard.Exactly(dx.Length, nameof(dx), rows, cols);
        if (!dgamma.IsEmpty) Guard.Exactly(dgamma.Length, nameof(dgamma), cols);
        if (!dbeta.IsEmpty) Guard.Exactly(dbeta.Length, nameof(dbeta), cols);
        int blocks = Blocks(rows);
        var work = _backward ??= new BackwardWork();
        bool parameters = !dgamma.IsEmpty || !dbeta.IsEmpty;
        if (parameters && work.Partials.Length < 2L * blocks * cols) work.Partials = new float[2 * blocks * cols];
        work.X = x; work.G = g; work.Rows = rows; work.Cols = cols;
        work.Mean = mean; work.Rstd = rstd; work.Gamma = gamma; work.Dx = dx; work.AccDx = accumulateDx;
        work.Parameters = parameters;
        try
        {
            if (rows > 0 && cols > 0) WorkerPool.Run(work, blocks);
            var parts = work.Partials;
            if (!dgamma.IsEmpty) SumBlocks(parts, 0, blocks, cols, dgamma.Span, accumulateDgamma, rows > 0);
            if (!dbeta.IsEmpty) SumBlocks(parts, cols, blocks, cols, dbeta.Span, accumulateDbeta, rows > 0);
        }
        finally { work.X = work.G = work.Mean = work.Rstd = work.Gamma = default; work.Dx = default; }
    }

    private static int Blocks(int rows) => Math.Max(1, (rows + RowBlock - 1) / RowBlock);

    // target (+)= Σ_b parts[b, offset .. offset + cols], blocks in order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumBlocks(float[] parts, int offset, int blocks, int cols, Span<float> target, bool accumulate, bool any)
    {
        if (!accumulate) target.Clear();
        if (!any) return;
        for (int b = 0; b < blocks; b++) Primitives.Add(target, parts.AsSpan(b * 2 * cols + offset, cols), target);
    }

    private static void Check(int xLength, int rows, int cols, int gammaLength, int betaLength)
    {
        Guard.Dims(rows, cols, nameof(rows), nameof(cols));
        Guard.Exactly(xLength, "x", rows, cols);
        if (gammaLength != 0) Guard.Exactly(gammaLength, "gamma", cols);
        if (betaLength != 0) Guard.Exactly(betaLength, "beta", cols);
    }

    private static float[] Scratch(int length)
    {
        var row = _row;
        if (row is null || row.Length < length) _row = row = new float[length];
        return row;
    }

    private sealed class ForwardWork : IParallelWork
    {
        public ReadOnlyMemory<float> X, Gamma, Beta;
        public Memory<float> Y, Mean, Rstd;
        public int Rows, Cols;
        public float Eps;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int block)
        {
            int n = Cols, first = block * RowBlock, end = Math.Min(Rows, first + RowBlock);
            var xs = X.Span;
            var ys = Y.Span;
            var gamma = Gamma.Span;
            var beta = Beta.Span;
            var mean = Mean.Span;
            var rstd = Rstd.Span;
            for (int r = first; r < end; r++)
            {
                var x = xs.Slice(r * n, n);
                var y = ys.Slice(r * n, n);
                // Two passes (mean, then the squares of the centred values) rather than E[x²] − μ²,
                // which cancels badly when |μ| is large against σ.
                float mu = Primitives.Sum(x) / n;
                Primitives.Subtract(x, mu, y);
                float variance = Primitives.Dot(y, y) / n;
                float rs = 1f / MathF.Sqrt(variance + Eps);
                mean[r] = mu;
                rstd[r] = rs;
                Primitives.Multiply(y, rs, y);
                if (!gamma.IsEmpty && !beta.IsEmpty) Primitives.MultiplyAdd(y, gamma, beta, y);
                else if (!gamma.IsEmpty) Primitives.Multiply(y, gamma, y);
                else if (!beta.IsEmpty) Primitives.Add(y, beta, y);
            }
        }
    }

    private sealed class BackwardWork : IParallelWork
    {
        public ReadOnlyMemory<float> X, G, Mean, Rstd, Gamma;
        public Memory<float> Dx;
        public float[] Partials = [];
        public int Rows, Cols;
        public bool AccDx, Parameters;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int block)
        {
            int n = Cols, first = block * RowBlock, end = Math.Min(Rows, first + RowBlock);
            var scratch = Scratch(2 * n);
            var xhat = scratch.AsSpan(0, n);
            var ghat = scratch.AsSpan(n, n);
            var xs = X.Span;
            var gs = G.Span;
            var mean = Mean.Span;
            var rstd = Rstd.Span;
            var gamma = Gamma.Span;
            var dxs = Dx.Span;
            Span<float> dgamma = default, dbeta = default;
            if (Parameters)
            {
                dgamma = Partials.AsSpan(block * 2 * n, n);
                dbeta = Partials.AsSpan(block * 2 * n + n, n);
                dgamma.Clear();
                dbeta.Clear();
            }
            for (int r = first; r < end; r++)
            {
                var x = xs.Slice(r * n, n);
                var g = gs.Slice(r * n, n);
                float rs = rstd[r];
                Primitives.Subtract(x, mean[r], xhat);
                Primitives.Multiply(xhat, rs, xhat);
                if (Parameters)
                {
                    Primitives.MultiplyAdd(g, xhat, dgamma, dgamma);
                    Primitives.Add(dbeta, g, dbeta);
                }
                if (dxs.IsEmpty) continue;
                if (gamma.IsEmpty) g.CopyTo(ghat);
                else Primitives.Multiply(g, gamma, ghat);
                float a = Primitives.Sum(ghat) / n;
                float b = Primitives.Dot(ghat, xhat) / n;
                // t = ĝ − x̂·b − a, then dx (+)= r·t.
                Primitives.MultiplyAdd(xhat, -b, ghat, ghat);
                Primitives.Add(ghat, -a, ghat);
                var dx = dxs.Slice(r * n, n);
                if (AccDx) Primitives.MultiplyAdd(ghat, rs, dx, dx);
                else Primitives.Multiply(ghat, rs, dx);
            }
        }
    }
}
