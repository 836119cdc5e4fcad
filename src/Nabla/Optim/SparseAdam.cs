using Nabla.Optim.Rules;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// The "lazy" Adam of <c>torch.optim.SparseAdam</c> for embedding tables: only the rows a step's
/// gradient lists (<see cref="Tensor.TryGetGradRows"/>) and their moments change; the moments of
/// rows absent from a batch do not decay. The chain is one <see cref="SparseAdamRule"/>:
/// <code>
/// m ← m + (1 − β₁)·(g − m)
/// v ← v + (1 − β₂)·(g² − v)
/// p ← p − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + eps)
/// </code>
/// A parameter whose gradient is dense (a <c>Dense</c> layer, or an embedding gradient that
/// something else changed) has every row updated, so one optimizer can train a whole model
/// (PyTorch's SparseAdam refuses dense gradients). State: <c>"{i}.exp_avg"</c>, <c>"{i}.exp_avg_sq"</c>.
/// </summary>
/// <remarks>
/// Plain <see cref="Adam"/> keeps PyTorch's semantics on an embedding: every row's moments decay
/// every step, so it reads the whole table each step however few rows the batch used.
/// </remarks>
public sealed class SparseAdam : Optimizer
{
    /// <summary>Creates the optimizer (defaults as <c>torch.optim.SparseAdam</c>).</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public SparseAdam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
        : base(parameters, lr, 0f, new SparseAdamRule(beta1, beta2, eps)) { }

    private SparseAdamRule Core => (SparseAdamRule)Chain[^1];

    /// <summary>First-moment decay β₁.</summary>
    public float Beta1 => Core.Beta1;

    /// <summary>Second-moment decay β₂.</summary>
    public float Beta2 => Core.Beta2;

    /// <summary>Denominator term ε.</summary>
    public float Eps => Core.Eps;
}
