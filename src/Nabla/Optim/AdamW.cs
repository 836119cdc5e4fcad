using Nabla.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// AdamW (Adam with decoupled weight decay), exactly as <c>torch.optim.AdamW</c>. For each
/// parameter p with gradient g, step t:
/// <code>
/// p ← p·(1 − lr·weightDecay)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// m̂ ← m / (1 − β₁ᵗ);  v̂ ← v / (1 − β₂ᵗ)        (amsgrad: v̂ from vmax ← max(vmax, v))
/// p ← p − lr·m̂ / (√v̂ + eps)
/// </code>
/// State: <c>"{i}.exp_avg"</c>, <c>"{i}.exp_avg_sq"</c>, <c>"{i}.max_exp_avg_sq"</c> (amsgrad).
/// </summary>
public sealed class AdamW : AdamBase
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <param name="weightDecay">Decoupled weight decay λ: parameters shrink by lr·λ each step.</param>
    /// <param name="amsgrad">Use the running maximum of the second moment (AMSGrad).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 0.01f, bool amsgrad = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Decoupled decay: p ← p·(1 − lr·weightDecay); the gradient is unchanged.</summary>
    private protected override ReadOnlySpan<float> ApplyWeightDecay(Span<float> p, ReadOnlySpan<float> g, Span<float> scratch)
    {
        Primitives.Multiply(p, 1f - LearningRate * WeightDecay, p);
        return g;
    }
}
