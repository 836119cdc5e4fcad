using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// The "lazy" Adam of <c>torch.optim.SparseAdam</c> for embedding tables: only the rows a step's
/// gradient lists (<see cref="Tensor.TryGetGradRows"/>) and their moments change; the moments of
/// rows absent from a batch do not decay. For each listed row, step t:
/// <code>
/// m ← m + (1 − β₁)·(g − m)
/// v ← v + (1 − β₂)·(g² − v)
/// p ← p − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + eps)
/// </code>
/// A parameter whose gradient is dense (a <c>Dense</c> layer, or an embedding gradient that
/// something else changed) has every row listed, so one optimizer can train a whole model
/// (PyTorch's SparseAdam refuses dense gradients). t is the optimizer's
/// <see cref="Optimizer.StepCount"/>. State: <c>"{i}.exp_avg"</c>, <c>"{i}.exp_avg_sq"</c>.
/// </summary>
/// <remarks>
/// Plain <see cref="Adam"/> keeps PyTorch's semantics on an embedding: every row's moments decay
/// every step, so it reads the whole table each step however few rows the batch used.
/// </remarks>
public sealed class SparseAdam : Optimizer
{
    private const string ExpAvg = "exp_avg", ExpAvgSq = "exp_avg_sq";
    private readonly ParameterStates _state;

    /// <summary>Creates the optimizer (defaults as <c>torch.optim.SparseAdam</c>).</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public SparseAdam(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
        : base(parameters, lr)
    {
        Beta1 = Hyperparameters.UnitInterval(beta1, nameof(beta1));
        Beta2 = Hyperparameters.UnitInterval(beta2, nameof(beta2));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
        _state = new ParameterStates(Parameters, ExpAvg, ExpAvgSq);
    }

    /// <summary>First-moment decay β₁.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay β₂.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator term ε.</summary>
    public float Eps { get; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step()
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(Beta1, StepCount), bc2 = 1 - Math.Pow(Beta2, StepCount);
        float stepSize = (float)(LearningRate * Math.Sqrt(bc2) / bc1);
        for (int i = 0; i < Parameters.Count; i++)
        {
            var param = Parameters[i];
            if (param.Grad is null) continue;
            var m = _state.Get(ExpAvg, i);
            var v = _state.Get(ExpAvgSq, i);
            var p = param.AsSpan();
            if (param.Rank == 2 && param.TryGetGradRows(out var rows))
            {
                int width = param.Shape[1];
                var g = param.Grad.AsReadOnlySpan();
                foreach (int r in rows)
                {
                    int start = r * width;
                    Update(p.Slice(start, width), g.Slice(start, width), m.Slice(start, width), v.Slice(start, width), stepSize);
                }
            }
            else
            {
                Update(p, param.Grad.AsReadOnlySpan(), m, v, stepSize);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize)
    {
        float a1 = 1f - Beta1, a2 = 1f - Beta2, eps = Eps;
        for (int j = 0; j < p.Length; j++)
        {
            float gj = g[j];
            float mj = m[j] + (gj - m[j]) * a1;
            float vj = v[j] + (gj * gj - v[j]) * a2;
            m[j] = mj;
            v[j] = vj;
            p[j] -= stepSize * (mj / (MathF.Sqrt(vj) + eps));
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict() => _state.Export(StepCount);

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => StepCount = _state.Import(state, nameof(SparseAdam));
}
