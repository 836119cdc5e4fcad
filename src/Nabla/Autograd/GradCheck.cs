using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>What <see cref="GradCheck.Run"/> found.</summary>
/// <param name="Passed">True when every analytic derivative matched its finite difference on every path.</param>
/// <param name="MaxError">Largest |analytic − numeric| seen.</param>
/// <param name="Failure">The first mismatch (path, input, element, both values, tolerance), or null.</param>
public sealed record GradCheckResult(bool Passed, double MaxError, string? Failure);

/// <summary>
/// Checks backward rules against finite differences, tightly enough to catch a 0.1 % error.
/// </summary>
/// <remarks>
/// <para>The function's output is reduced to L = Σᵢ wᵢ·yᵢ with fixed random weights w, so every
/// output element is tested. For each input element xⱼ the numeric derivative is Richardson's
/// extrapolation of central differences, N = (4·D(ε/2) − D(ε)) / 3 with
/// D(h) = Σᵢ wᵢ·(yᵢ(xⱼ+h) − yᵢ(xⱼ−h)) / 2h, whose truncation error is O(ε⁴). The differences are
/// taken output by output in double, so outputs that xⱼ does not reach cancel exactly and only the
/// rounding of the outputs it does reach remains; that rounding is estimated from their magnitudes
/// and added to the tolerance, which is otherwise |A − N| ≤ atol + rtol·|N|.</para>
/// <para>Every backward rule can write an input's gradient in two ways: overwrite a fresh buffer, or
/// add to one that already holds a value (an input used twice, a leaf whose gradient was not
/// zeroed). The analytic gradient A is therefore taken four times and each is compared with N:
/// with no gradient buffers; with random values already in every input's <c>Grad</c> (A = Grad −
/// the values); with such buffers marked zero by <c>ZeroGrad</c> (they must be overwritten); and
/// with every input passed through a recorded identity and the function applied twice, f(h) + f(h),
/// so the rules see an intermediate input whose gradient they must accumulate (A = half the
/// result).</para>
/// </remarks>
public static class GradCheck
{
    // Rounding of one float32 output, in units of its magnitude, allowing for a chain of ops.
    private const double OutputRounding = 4.0 / (1 << 24);

    /// <summary>Runs the check on every input with <see cref="Tensor.RequiresGrad"/> set.</summary>
    /// <param name="function">The computation; called many times, must be deterministic.</param>
    /// <param name="inputs">Its arguments; those requiring grad must be contiguous leaves and are perturbed.</param>
    /// <param name="epsilon">Finite-difference step ε (kink-free inputs must stay ε away from kinks).</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="rtol">Relative tolerance (5e-4 catches a 0.1 % error).</param>
    /// <param name="seed">Seed of the projection weights w and of the pre-seeded gradients.</param>
    public static GradCheckResult Run(Func<Tensor[], Tensor> function, Tensor[] inputs,
        double epsilon = 1e-2, double atol = 1e-5, double rtol = 5e-4, ulong seed = 1234)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!((float)epsilon > 0f) || !float.IsFinite((float)epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"GradCheck: epsilon must be a positive number, got {epsilon}");
        foreach (var x in inputs)
        {
            if (x.RequiresGrad && !x.IsLeaf) throw new ArgumentException("GradCheck: inputs must be leaf tensors", nameof(inputs));
            if (x.RequiresGrad && !x.IsContiguous) throw new ArgumentException("GradCheck: inputs must be contiguous", nameof(inputs));
        }

        var rng = new Rng(seed);
        var probe = Evaluate(function, inputs);
        var weights = new double[probe.Length];
        var w = Tensor.Randn(new Shape(probe.Length), rng);
        for (int i = 0; i < weights.Length; i++) weights[i] = w[i];

        var paths = new (string Name, double[][]? Analytic)[]
        {
            ("overwrite path", null), ("accumulate path (pre-filled Grad)", null),
            ("zeroed-Grad path", null), ("shared-input path (f(h) + f(h))", null),
        };
        for (int p = 0; p < paths.Length; p++)
        {
            var analytic = Analytic(function, inputs, w, p, rng, out string? problem);
            if (problem is not null) return new GradCheckResult(false, double.PositiveInfinity, $"GradCheck ({paths[p].Name}): {problem}");
            paths[p].Analytic = analytic;
        }

        double maxError = 0;
        for (int n = 0; n < inputs.Length; n++)
        {
            var x = inputs[n];
            if (!x.RequiresGrad) continue;
            var data = x.AsSpan();
            for (int j = 0; j < data.Length; j++)
            {
                var (numeric, noise) = Numeric(function, inputs, n, j, (float)epsilon, weights);
                double tolerance = atol + rtol * Math.Abs(numeric) + noise;
                foreach (var (name, analytic) in paths)
                {
                    double a = analytic![n][j];
                    double error = Math.Abs(a - numeric);
                    if (double.IsNaN(error)) error = double.PositiveInfinity;
                    maxError = Math.Max(maxError, error);
                    if (error > tolerance)
                        return new GradCheckResult(false, maxError,
                            $"{name}: input {n} (shape {x.Shape}) element {j}: analytic {a:G7}, numeric {numeric:G7} (tolerance {tolerance:G3})");
                }
            }
        }
        return new GradCheckResult(true, maxError, null);
    }

    // The gradients of Σ w·f (one array per input; null for inputs without grad) along one of the
    // four write paths.
    private static double[][] Analytic(Func<Tensor[], Tensor> function, Tensor[] inputs, Tensor w, int path, Rng rng, out string? problem)
    {
        problem = null;
        var prefill = new float[inputs.Length][];
        foreach (var x in inputs) x.Grad = null;
        if (path is 1 or 2)
        {
            for (int n = 0; n < inputs.Length; n++)
            {
                if (!inputs[n].RequiresGrad) continue;
                var g = Tensor.Randn(inputs[n].Shape, rng);
                prefill[n] = g.ToArray();
                inputs[n].Grad = g;
                if (path == 2) inputs[n].MarkGradZero();
            }
        }

        Tensor y;
        if (path == 3)
        {
            // Each input reaches the function through a recorded identity, and the function runs
            // twice: the second use of each h must add to the gradient the first one wrote.
            var shared = inputs.Select(x => x.RequiresGrad ? x * 1f : x).ToArray();
            y = function(shared) + function(shared);
        }
        else
        {
            y = function(inputs);
        }
        var result = new double[inputs.Length][];
        if (!y.RequiresGrad)
        {
            problem = "the output does not require grad";
            return result;
        }
        if (y.Numel != w.Numel)
        {
            problem = $"the output has {y.Numel} elements on this call and {w.Numel} on the first";
            return result;
        }
        y.Backward(w.Reshape(y.Shape));

        for (int n = 0; n < inputs.Length; n++)
        {
            var x = inputs[n];
            if (!x.RequiresGrad) continue;
            var g = x.Grad?.ToArray() ?? new float[x.Numel];
            var a = new double[g.Length];
            for (int j = 0; j < g.Length; j++)
            {
                double v = g[j];
                if (path == 1) v -= prefill[n][j];
                if (path == 3) v *= 0.5;
                a[j] = v;
            }
            result[n] = a;
            x.Grad = null;
        }
        return result;
    }

    // Richardson-extrapolated derivative of Σ w·f with respect to element j of input n, and the
    // rounding noise it may carry.
    private static (double Value, double Noise) Numeric(Func<Tensor[], Tensor> function, Tensor[] inputs, int n, int j, float epsilon, double[] weights)
    {
        var (full, fullNoise) = Central(function, inputs, n, j, epsilon, weights);
        var (half, halfNoise) = Central(function, inputs, n, j, epsilon / 2, weights);
        return ((4 * half - full) / 3, (4 * halfNoise + fullNoise) / 3);
    }

    private static (double Value, double Noise) Central(Func<Tensor[], Tensor> function, Tensor[] inputs, int n, int j, float h, double[] weights)
    {
        var data = inputs[n].AsSpan();
        float original = data[j];
        float up = original + h, down = original - h;
        data[j] = up;
        var plus = Evaluate(function, inputs);
        data[j] = down;
        var minus = Evaluate(function, inputs);
        inputs[n].AsSpan()[j] = original;
        // The step actually taken in float32, not the nominal one.
        double step = (double)up - down;
        double difference = 0, magnitude = 0;
        for (int i = 0; i < plus.Length; i++)
        {
            if (plus[i] == minus[i]) continue;
            difference += weights[i] * ((double)plus[i] - minus[i]);
            magnitude += Math.Abs(weights[i]) * (Math.Abs((double)plus[i]) + Math.Abs((double)minus[i]));
        }
        return (difference / step, OutputRounding * magnitude / step);
    }

    private static float[] Evaluate(Func<Tensor[], Tensor> function, Tensor[] inputs)
    {
        using var noGrad = GradMode.NoGrad();
        return function(inputs).ToArray();
    }
}
