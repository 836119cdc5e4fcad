using Nabla.Kernels;
using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// What <see cref="Adam"/> and <see cref="AdamW"/> share: hyperparameters (validated once), the
/// per-parameter moments and the one-pass update
/// <code>
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// m̂ ← m / (1 − β₁ᵗ);  v̂ ← v / (1 − β₂ᵗ)        (amsgrad: v̂ from vmax ← max(vmax, v))
/// p ← p − lr·m̂ / (√v̂ + eps)
/// </code>
/// with t the optimizer's <see cref="Optimizer.StepCount"/>. The two differ only in how weight decay
/// enters, which each implements in <see cref="ApplyWeightDecay"/>. State: <c>"{i}.exp_avg"</c>,
/// <c>"{i}.exp_avg_sq"</c>, <c>"{i}.max_exp_avg_sq"</c> (amsgrad).
/// </summary>
public abstract class AdamBase : Optimizer
{
    private readonly ParameterStates _state;

    /// <summary>Validates and stores the hyperparameters.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="beta1">Decay rate β₁ in [0, 1) of the first moment.</param>
    /// <param name="beta2">Decay rate β₂ in [0, 1) of the second moment.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <param name="weightDecay">Weight decay coefficient ≥ 0 (its meaning is the subclass's).</param>
    /// <param name="amsgrad">Use the running maximum of the second moment (AMSGrad).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    private protected AdamBase(IEnumerable<Tensor> parameters, float lr, float beta1, float beta2, float eps, float weightDecay, bool amsgrad)
        : base(parameters, lr)
    {
        Beta1 = Hyperparameters.UnitInterval(beta1, nameof(beta1));
        Beta2 = Hyperparameters.UnitInterval(beta2, nameof(beta2));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        AmsGrad = amsgrad;
        _state = new ParameterStates(Parameters, AdamUpdate.ExpAvg, AdamUpdate.ExpAvgSq, AdamUpdate.MaxExpAvgSq);
    }

    /// <summary>First-moment decay β₁.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay β₂.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator term ε.</summary>
    public float Eps { get; }

    /// <summary>Weight decay coefficient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad { get; }

    /// <summary>
    /// Applies weight decay before the moment update: either changes the gradient used (coupled,
    /// writing into <paramref name="scratch"/>) or shrinks the parameter (decoupled). Returns the
    /// gradient to use.
    /// </summary>
    private protected abstract ReadOnlySpan<float> ApplyWeightDecay(Span<float> p, ReadOnlySpan<float> g, Span<float> scratch);

    /// <inheritdoc/>
    public override void Step()
    {
        StepCount++;
        long total = 0;
        int largest = 0;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var param = Parameters[i];
            if (param.Grad is null) continue;
            total += param.Numel;
            largest = Math.Max(largest, param.Numel);
            // State is created here, on the calling thread, so the ranges below only read the slots.
            _state.Get(AdamUpdate.ExpAvg, i);
            _state.Get(AdamUpdate.ExpAvgSq, i);
            if (AmsGrad) _state.Get(AdamUpdate.MaxExpAvgSq, i);
        }

        // The update is elementwise, so splitting every parameter into contiguous ranges gives the
        // same bits on any thread count. Below 64k elements the hand-off costs more than it saves.
        int pieces = total >= 1 << 16 ? WorkerPool.MaxThreads : 1;
        // Coupled weight decay needs g + λp somewhere: each piece gets its own region of the
        // scratch buffer (pieces move from parameter to parameter at different times).
        _largest = largest;
        if (WeightDecay != 0f) _state.Scratch(largest * pieces, out _, out _);
        if (pieces > 1 && !WorkerPool.InsideWork)
        {
            _parallel ??= new ParallelUpdate(this);
            _parallel.Pieces = pieces;
            WorkerPool.Run(_parallel, pieces);
        }
        else
        {
            UpdateRange(0, 1);
        }
    }

    private ParallelUpdate? _parallel;
    private int _largest;

    // Updates range `piece` of `pieces` (16-element aligned) of every parameter.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdateRange(int piece, int pieces)
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var param = Parameters[i];
            if (param.Grad is null) continue;
            int n = param.Numel;
            int start = Bound(n, piece, pieces), length = Bound(n, piece + 1, pieces) - start;
            if (length == 0) continue;
            var p = param.AsSpan().Slice(start, length);
            ReadOnlySpan<float> g = param.Grad.AsSpan().Slice(start, length);
            if (WeightDecay != 0f)
            {
                _state.Scratch(_largest * pieces, out var scratch, out _);
                g = ApplyWeightDecay(p, g, scratch.Slice(piece * _largest + start, length));
            }
            var vMax = AmsGrad ? _state.Get(AdamUpdate.MaxExpAvgSq, i).Slice(start, length) : default;
            AdamUpdate.Apply(p, g, _state.Get(AdamUpdate.ExpAvg, i).Slice(start, length), _state.Get(AdamUpdate.ExpAvgSq, i).Slice(start, length),
                vMax, LearningRate, Beta1, Beta2, Eps, StepCount);
        }
    }

    private static int Bound(int n, int piece, int pieces) =>
        piece >= pieces ? n : (int)Math.Min(n, ((long)n * piece / pieces + 15) & ~15L);

    private sealed class ParallelUpdate(AdamBase owner) : IParallelWork
    {
        public int Pieces;

        public void Execute(int index) => owner.UpdateRange(index, Pieces);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict() => _state.Export(StepCount);

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => StepCount = _state.Import(state, GetType().Name);
}
