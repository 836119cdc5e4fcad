using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Backward passes of <see cref="Activations"/>: given the upstream gradient g = ∂L/∂y and the
/// forward input x or output y, write dx[i] ← g[i]·f′(x[i]), or add it to dx when
/// <c>accumulate</c> is true so a shared input's gradient can be summed in place.
/// </summary>
/// <remarks>
/// All spans have the same length. dx may be the same span as g (in place) when not accumulating.
/// At kinks (x = 0) the derivative of the x &gt; 0 test's "else" branch is used, like PyTorch.
/// </remarks>
public static class ActivationGrads
{
    /// <summary>ReLU backward: dx = g·[x &gt; 0].</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="g">Upstream gradient.</param>
    /// <param name="dx">Gradient with respect to x, written or accumulated.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    /// <remarks>From 2^15 elements the span is split across <see cref="WorkerPool"/> threads (bitwise the serial result).</remarks>
    public static void ReluGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool accumulate = false)
    {
        Check(x, g, dx);
        ReluSplit.Backward(x, g, dx, accumulate);
    }

    internal static void ReluGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool accumulate, KernelPath path)
    {
        Check(x, g, dx);
        VectorDriver.Binary(default(ReluGradOp), x, g, dx, accumulate, path);
    }

    /// <summary>Leaky ReLU backward: dx = g if x &gt; 0 else α·g.</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="g">Upstream gradient.</param>
    /// <param name="alpha">The slope α used in the forward pass.</param>
    /// <param name="dx">Gradient with respect to x, written or accumulated.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    public static void LeakyReluGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float alpha, Span<float> dx, bool accumulate = false) =>
        LeakyReluGrad(x, g, alpha, dx, accumulate, KernelPaths.Best);

    internal static void LeakyReluGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, float alpha, Span<float> dx, bool accumulate, KernelPath path)
    {
        Check(x, g, dx);
        VectorDriver.Binary(new LeakyReluGradOp(alpha), x, g, dx, accumulate, path);
    }

    /// <summary>ELU backward from the forward output: dx = g if y &gt; 0 else g·(y + α).</summary>
    /// <remarks>For α ≥ 0, y &gt; 0 exactly when x &gt; 0, and y + α = α·eˣ on the other branch, so x is not needed.</remarks>
    /// <param name="y">Forward output of <see cref="Activations.Elu(ReadOnlySpan{float}, float, Span{float})"/>.</param>
    /// <param name="g">Upstream gradient.</param>
    /// <param name="alpha">The α ≥ 0 used in the forward pass.</param>
    /// <param name="dx">Gradient with respect to x, written or accumulated.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    public static void EluGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, float alpha, Span<float> dx, bool accumulate = false) =>
        EluGrad(y, g, alpha, dx, accumulate, KernelPaths.Best);

    internal static void EluGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, float alpha, Span<float> dx, bool accumulate, KernelPath path)
    {
        Check(y, g, dx);
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        VectorDriver.Binary(new EluGradOp(alpha), y, g, dx, accumulate, path);
    }

    /// <summary>Exact GELU backward: dx = g·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="g">Upstream gradient.</param>
    /// <param name="dx">Gradient with respect to x, written or accumulated.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    public static void GeluGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool accumulate = false) =>
        GeluGrad(x, g, dx, accumulate, KernelPaths.Best);

    internal static void GeluGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool accumulate, KernelPath path)
    {
        Check(x, g, dx);
        VectorDriver.Binary(default(GeluGradOp), x, g, dx, accumulate, path);
    }

    /// <summary>Sigmoid backward from the forward output: dx = g·y·(1 − y).</summary>
    /// <param name="y">Forward output σ(x).</param>
    /// <param name="g">Upstream gradient.</param>
    /// <param name="dx">Gradient with respect to x, written or accumulated.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    public static void SigmoidGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, bool accumulate = false) =>
        SigmoidGrad(y, g, dx, accumulate, KernelPaths.Best);

    internal static void SigmoidGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, bool accumulate, KernelPath path)
    {
        Check(y, g, dx);
        VectorDriver.Binary(default(SigmoidGradOp), y, g, dx, accumulate, path);
    }

    /// <summary>Tanh backward from the forward output: dx = g·(1 − y²).</summary>
    /// <param name="y">Forward output tanh(x).</param>
    /// <param name="g">Upstream gradient.</param>
    /// <param name="dx">Gradient with respect to x, written or accumulated.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    public static void TanhGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, bool accumulate = false) =>
        TanhGrad(y, g, dx, accumulate, KernelPaths.Best);

    internal static void TanhGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, bool accumulate, KernelPath path)
    {
        Check(y, g, dx);
        VectorDriver.Binary(default(TanhGradOp), y, g, dx, accumulate, path);
    }

    /// <summary>Softplus backward: dx = g·σ(x) = g / (1 + e^(−x)).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="g">Upstream gradient.</param>
    /// <param name="dx">Gradient with respect to x, written or accumulated.</param>
    /// <param name="accumulate">True to add into <paramref name="dx"/> instead of overwriting it.</param>
    public static void SoftplusGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool accumulate = false) =>
        SoftplusGrad(x, g, dx, accumulate, KernelPaths.Best);

    internal static void SoftplusGrad(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool accumulate, KernelPath path)
    {
        Check(x, g, dx);
        VectorDriver.Binary(default(SoftplusGradOp), x, g, dx, accumulate, path);
    }

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> g, ReadOnlySpan<float> dx)
    {
        Guard.SameLength(input, g, "input", nameof(g));
        Guard.SameLength(input, dx, "input", nameof(dx));
    }

    // A select, not g·0, so an infinite or NaN upstream gradient does not leak through x ≤ 0.
    private readonly struct ReluGradOp : IBinaryOp
    {
        public float Invoke(float x, float g) => x > 0f ? g : 0f;

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, Vector256<float>.Zero);

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, Vector512<float>.Zero);
    }

    private readonly struct LeakyReluGradOp(float alpha) : IBinaryOp
    {
        private readonly float _alpha = alpha;

        public float Invoke(float x, float g) => x > 0f ? g : _alpha * g;

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, g * _alpha);

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, g * _alpha);
    }

    private readonly struct EluGradOp(float alpha) : IBinaryOp
    {
        private readonly float _alpha = alpha;

        public float Invoke(float y, float g) => y > 0f ? g : g * (y + _alpha);

        public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), g, g * (y + Vector256.Create(_alpha)));

        public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), g, g * (y + Vector512.Create(_alpha)));
    }

    private readonly struct GeluGradOp : IBinaryOp
    {
        public float Invoke(float x, float g) =>
            g * MathF.FusedMultiplyAdd(x * SpecialMath.InvSqrt2Pi, MathF.Exp(-0.5f * x * x), SpecialMath.Phi(x));

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g)
        {
            Vector256<float> density = Vector256.Exp(x * x * Vector256.Create(-0.5f));
            return g * Vector256.FusedMultiplyAdd(x * Vector256.Create(SpecialMath.InvSqrt2Pi), density, SpecialMath.Phi(x));
        }

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g)
        {
            Vector512<float> density = Vector512.Exp(x * x * Vector512.Create(-0.5f));
            return g * Vector512.FusedMultiplyAdd(x * Vector512.Create(SpecialMath.InvSqrt2Pi), density, SpecialMath.Phi(x));
        }
    }

    private readonly struct SigmoidGradOp : IBinaryOp
    {
        public float Invoke(float y, float g) => g * y * (1f - y);

        public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * y * (Vector256<float>.One - y);

        public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * y * (Vector512<float>.One - y);
    }

    private readonly struct TanhGradOp : IBinaryOp
    {
        public float Invoke(float y, float g) => g * MathF.FusedMultiplyAdd(-y, y, 1f);

        public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) =>
            g * Vector256.FusedMultiplyAdd(-y, y, Vector256<float>.One);

        public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) =>
            g * Vector512.FusedMultiplyAdd(-y, y, Vector512<float>.One);
    }

    private readonly struct SoftplusGradOp : IBinaryOp
    {
        public float Invoke(float x, float g) => g / (1f + MathF.Exp(-x));

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
            g / (Vector256<float>.One + Vector256.Exp(-x));

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
            g / (Vector512<float>.One + Vector512.Exp(-x));
    }
}
