using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Gradient clipping applied in place to <see cref="Tensor.Grad"/> between backward and the
/// optimizer step: call it in a hand-written loop, from the optimizer's
/// <see cref="Optimizer.BeforeStep"/> hook (<c>opt.BeforeStep += o => GradientClipping.ClipByNorm(o.Parameters, 1f)</c>,
/// which <c>Fit</c> also runs), or put <see cref="Rules.ClipGlobalNorm"/> / <see cref="Rules.ClipValue"/> in the chain.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Rescales all gradients together when their global L2 norm ‖g‖ = √(Σ over parameters Σ g²)
    /// exceeds <paramref name="maxNorm"/>, like <c>torch.nn.utils.clip_grad_norm_</c>:
    /// c = maxNorm / (‖g‖ + 1e-6); if c &lt; 1 every gradient is multiplied by c.
    /// Parameters without a gradient are ignored. Allocates nothing for a list or array.
    /// </summary>
    /// <returns>‖g‖ before clipping (useful for logging).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float ClipByNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Hyperparameters.NonNegative(maxNorm, nameof(maxNorm));
        // Indexing a list avoids the boxed enumerator: this runs every step from a hook.
        var list = parameters as IReadOnlyList<Tensor> ?? [.. parameters];
        double sumOfSquares = 0;
        for (int i = 0; i < list.Count; i++)
            if (list[i].Grad is { } g) sumOfSquares += Reductions.SumOfSquares(g.AsSpan());
        double norm = Math.Sqrt(sumOfSquares);
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1)
        {
            for (int i = 0; i < list.Count; i++)
                if (list[i].Grad is { } g) Primitives.Multiply(g.AsSpan(), (float)coefficient, g.AsSpan());
        }
        return (float)norm;
    }

    /// <summary>Clamps every gradient element into [−clipValue, clipValue], like <c>torch.nn.utils.clip_grad_value_</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClipByValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Hyperparameters.NonNegative(clipValue, nameof(clipValue));
        var list = parameters as IReadOnlyList<Tensor> ?? [.. parameters];
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Grad is not { } g) continue;
            var s = g.AsSpan();
            Primitives.Min(s, (float)clipValue, s);
            Primitives.Max(s, -(float)clipValue, s);
        }
    }
}
