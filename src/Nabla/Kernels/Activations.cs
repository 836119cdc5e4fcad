using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Forward activation functions, dst[i] ← f(x[i]). Their derivatives are in <see cref="ActivationGrads"/>.
/// </summary>
/// <remarks>dst may be the same span as x (in place) but must not partially overlap it.</remarks>
public static class Activations
{
    /// <summary>ReLU: y = max(x, 0); NaN stays NaN.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output y, same length as <paramref name="x"/>.</param>
    /// <remarks>From 2^15 elements the span is split across <see cref="WorkerPool"/> threads (bitwise the serial result).</remarks>
    public static void Relu(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        ReluSplit.Forward(x, dst);
    }

    /// <summary>Leaky ReLU: y = x if x &gt; 0 else α·x.</summary>
    /// <param name="x">Input.</param>
    /// <param name="alpha">Slope α for x ≤ 0 (PyTorch's default is 0.01).</param>
    /// <param name="dst">Output y, same length as <paramref name="x"/>.</param>
    public static void LeakyRelu(ReadOnlySpan<float> x, float alpha, Span<float> dst) => LeakyRelu(x, alpha, dst, KernelPaths.Best);

    internal static void LeakyRelu(ReadOnlySpan<float> x, float alpha, Span<float> dst, KernelPath path)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        VectorDriver.Unary(new LeakyReluOp(alpha), x, dst, accumulate: false, path);
    }

    /// <summary>ELU: y = x if x &gt; 0 else α·(eˣ − 1), with eˣ − 1 computed without cancellation near 0.</summary>
    /// <param name="x">Input.</param>
    /// <param name="alpha">Scale α ≥ 0 of the negative branch (PyTorch's default is 1).</param>
    /// <param name="dst">Output y, same length as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is negative; the backward pass recovers the branch from the sign of y, which needs α ≥ 0.</exception>
    public static void Elu(ReadOnlySpan<float> x, float alpha, Span<float> dst) => Elu(x, alpha, dst, KernelPaths.Best);

    internal static void Elu(ReadOnlySpan<float> x, float alpha, Span<float> dst, KernelPath path)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        VectorDriver.Unary(new EluOp(alpha), x, dst, accumulate: false, path);
    }

    /// <summary>Exact GELU: y = x·Φ(x) = ½·x·(1 + erf(x/√2)), absolute error about 1e-7·max(1, |x|).</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output y, same length as <paramref name="x"/>.</param>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> dst) => Gelu(x, dst, KernelPaths.Best);

    internal static void Gelu(ReadOnlySpan<float> x, Span<float> dst, KernelPath path)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        VectorDriver.Unary(default(GeluOp), x, dst, accumulate: false, path);
    }

    /// <summary>Logistic sigmoid: y = 1 / (1 + e^(−x)).</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output y, same length as <paramref name="x"/>.</param>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        TensorPrimitives.Sigmoid(x, dst);
    }

    /// <summary>Hyperbolic tangent: y = tanh(x).</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output y, same length as <paramref name="x"/>.</param>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        TensorPrimitives.Tanh(x, dst);
    }

    /// <summary>Softplus: y = ln(1 + eˣ), evaluated as max(x, 0) + ln(1 + e^(−|x|)) so it never overflows.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output y, same length as <paramref name="x"/>.</param>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> dst) => Softplus(x, dst, KernelPaths.Best);

    internal static void Softplus(ReadOnlySpan<float> x, Span<float> dst, KernelPath path)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        VectorDriver.Unary(default(SoftplusOp), x, dst, accumulate: false, path);
    }

    private readonly struct LeakyReluOp(float alpha) : IUnaryOp
    {
        private readonly float _alpha = alpha;

        public float Invoke(float a) => a > 0f ? a : _alpha * a;

        public Vector256<float> Invoke(Vector256<float> a) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), a, a * _alpha);

        public Vector512<float> Invoke(Vector512<float> a) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), a, a * _alpha);
    }

    private readonly struct EluOp(float alpha) : IUnaryOp
    {
        private readonly float _alpha = alpha;

        public float Invoke(float a) => a > 0f ? a : _alpha * SpecialMath.Expm1(a);

        // Min(a, 0) keeps exp from overflowing in lanes that take the linear branch anyway.
        public Vector256<float> Invoke(Vector256<float> a) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), a,
                SpecialMath.Expm1(Vector256.Min(a, Vector256<float>.Zero)) * _alpha);

        public Vector512<float> Invoke(Vector512<float> a) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), a,
                SpecialMath.Expm1(Vector512.Min(a, Vector512<float>.Zero)) * _alpha);
    }

    private readonly struct GeluOp : IUnaryOp
    {
        public float Invoke(float a) => a * SpecialMath.Phi(a);

        public Vector256<float> Invoke(Vector256<float> a) => a * SpecialMath.Phi(a);

        public Vector512<float> Invoke(Vector512<float> a) => a * SpecialMath.Phi(a);
    }

    private readonly struct SoftplusOp : IUnaryOp
    {
        public float Invoke(float a) => MathF.Max(a, 0f) + SpecialMath.Log1p(MathF.Exp(-MathF.Abs(a)));

        public Vector256<float> Invoke(Vector256<float> a) =>
            Vector256.Max(a, Vector256<float>.Zero) + SpecialMath.Log1p(Vector256.Exp(-Vector256.Abs(a)));

        public Vector512<float> Invoke(Vector512<float> a) =>
            Vector512.Max(a, Vector512<float>.Zero) + SpecialMath.Log1p(Vector512.Exp(-Vector512.Abs(a)));
    }
}
