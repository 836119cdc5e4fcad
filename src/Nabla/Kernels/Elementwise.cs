using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Elementwise kernels that <see cref="TensorPrimitives"/> lacks or that read better by name.
/// For plain arithmetic (Add, Multiply, Exp, Log, Sqrt, …) call <see cref="TensorPrimitives"/> directly.
/// </summary>
/// <remarks>
/// Like <see cref="TensorPrimitives"/>, outputs may be the very same span as an input (in place),
/// but must not partially overlap one.
/// </remarks>
public static class Elementwise
{
    /// <summary>y[i] ← y[i] + α·x[i] (BLAS axpy).</summary>
    /// <param name="x">Input, same length as <paramref name="y"/>.</param>
    /// <param name="alpha">Scale α applied to <paramref name="x"/>.</param>
    /// <param name="y">Accumulator, updated in place.</param>
    public static void AddScaled(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        Guard.SameLength(x, y, nameof(x), nameof(y));
        Primitives.MultiplyAdd(x, alpha, y, y);
    }

    /// <summary>dst[i] ← value.</summary>
    /// <param name="dst">Output.</param>
    /// <param name="value">The value written to every element.</param>
    public static void Fill(Span<float> dst, float value) => dst.Fill(value);

    /// <summary>dst[i] ← x[i]².</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length as <paramref name="x"/>.</param>
    public static void Square(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        Primitives.Multiply(x, x, dst);
    }

    /// <summary>dst[i] ← min(max(x[i], lo), hi).</summary>
    /// <param name="x">Input.</param>
    /// <param name="lo">Lower bound.</param>
    /// <param name="hi">Upper bound, at least <paramref name="lo"/>.</param>
    /// <param name="dst">Output, same length as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="lo"/> &gt; <paramref name="hi"/>.</exception>
    public static void Clamp(ReadOnlySpan<float> x, float lo, float hi, Span<float> dst)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        if (lo > hi)
        {
            throw new ArgumentException($"Clamp bounds are reversed: lo = {lo} is greater than hi = {hi}.", nameof(lo));
        }

        Primitives.Clamp(x, lo, hi, dst);
    }

    /// <summary>dst[i] ← H(x[i]) = 1 if x[i] &gt; 0 else 0 (Heaviside step with H(0) = 0; NaN gives 0).</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length as <paramref name="x"/>.</param>
    public static void Step(ReadOnlySpan<float> x, Span<float> dst) => Step(x, dst, KernelPaths.Best);

    internal static void Step(ReadOnlySpan<float> x, Span<float> dst, KernelPath path)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        VectorDriver.Unary(default(StepOp), x, dst, accumulate: false, path);
    }

    /// <summary>dst[i] ← erf(x[i]) = 2/√π ∫₀ˣ e^(−t²) dt, absolute error about 1e-7.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length as <paramref name="x"/>.</param>
    public static void Erf(ReadOnlySpan<float> x, Span<float> dst) => Erf(x, dst, KernelPaths.Best);

    internal static void Erf(ReadOnlySpan<float> x, Span<float> dst, KernelPath path)
    {
        Guard.SameLength(x, dst, nameof(x), nameof(dst));
        VectorDriver.Unary(default(ErfOp), x, dst, accumulate: false, path);
    }

    private readonly struct StepOp : IUnaryOp
    {
        public float Invoke(float a) => a > 0f ? 1f : 0f;

        public Vector256<float> Invoke(Vector256<float> a) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero);

        public Vector512<float> Invoke(Vector512<float> a) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero);
    }

    private readonly struct ErfOp : IUnaryOp
    {
        public float Invoke(float a) => SpecialMath.Erf(a);

        public Vector256<float> Invoke(Vector256<float> a) => SpecialMath.Erf(a);

        public Vector512<float> Invoke(Vector512<float> a) => SpecialMath.Erf(a);
    }
}
