using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>What <see cref="GradCheck.Run"/> found.</summary>
/// <param name="Passed">True when every analytic derivative matched its finite difference.</param>
/// <param name="MaxError">Largest |analytic − numeric| seen.</param>
/// <param name="Failure">The first mismatch (input, element, both values), or null.</param>
public sealed record GradCheckResult(bool Passed, double MaxError, string? Failure);

/// <summary>
/// Checks backward rules against central finite differences. The function's output is reduced
/// to the scalar L = Σ wᵢ·yᵢ with fixed random weights w, so every output element is tested; for
/// each input element xⱼ, ∂L/∂xⱼ from <c>Backward</c> is compared with
/// (L(xⱼ+ε) − L(xⱼ−ε)) / 2ε, the sums accumulated in double.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Runs the check on every input with <see cref="Tensor.RequiresGrad"/> set. A derivative passes
    /// when |analytic − numeric| ≤ <paramref name="atol"/> + <paramref name="rtol"/>·|numeric|.
    /// </summary>
    /// <param name="function">The computation; called many times, must be deterministic.</param>
    /// <param name="inputs">Its arguments; those requiring grad are perturbed.</param>
    /// <param name="epsilon">Finite-difference step (float32 arithmetic: 1e-2 balances truncation and rounding).</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="rtol">Relative tolerance.</param>
    /// <param name="seed">Seed of the projection weights w.</param>
    public static GradCheckResult Run(Func<Tensor[], Tensor> function, Tensor[] inputs,
        float epsilon = 1e-2f, double atol = 2e-3, double rtol = 2e-2, ulong seed = 1234)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var x in inputs)
        {
            if (x.RequiresGrad && !x.IsLeaf) throw new ArgumentException("GradCheck: inputs must be leaf tensors", nameof(inputs));
            if (x.RequiresGrad && !x.IsContiguous) throw new ArgumentException("GradCheck: inputs must be contiguous", nameof(inputs));
            x.Grad = null;
        }

        var y = function(inputs);
        var rng = new Rng(seed);
        var w = Tensor.Randn(y.Shape, rng);
        var weights = w.ToArray();
        if (!y.RequiresGrad)
            return new GradCheckResult(false, double.PositiveInfinity, "GradCheck: the output does not require grad");
        y.Backward(w);

        double maxError = 0;
        for (int n = 0; n < inputs.Length; n++)
        {
            var x = inputs[n];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad?.ToArray() ?? new float[x.Numel];
            var data = x.AsSpan();
            for (int j = 0; j < data.Length; j++)
            {
                float original = data[j];
                data[j] = original + epsilon;
                double plus = Project(function, inputs, weights);
                data[j] = original - epsilon;
                double minus = Project(function, inputs, weights);
                data[j] = original;
                double numeric = (plus - minus) / (2.0 * epsilon);
                double error = Math.Abs(analytic[j] - numeric);
                if (double.IsNaN(error)) error = double.PositiveInfinity;
                maxError = Math.Max(maxError, error);
                if (error > atol + rtol * Math.Abs(numeric))
                    return new GradCheckResult(false, maxError,
                        $"input {n} (shape {x.Shape}) element {j}: analytic {analytic[j]:G6}, numeric {numeric:G6}");
            }
        }
        return new GradCheckResult(true, maxError, null);
    }

    private static double Project(Func<Tensor[], Tensor> function, Tensor[] inputs, float[] weights)
    {
        using var noGrad = GradMode.NoGrad();
        var values = function(inputs).ToArray();
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += (double)values[i] * weights[i];
        return sum;
    }
}
