using System.Runtime.CompilerServices;
using Nabla.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// Adagrad, exactly as <c>torch.optim.Adagrad</c>. For each parameter p with gradient g, step t:
/// <code>
/// η̃ ← lr / (1 + (t − 1)·lrDecay)
/// g ← g + weightDecay·p
/// s ← s + g²                    (s starts at initialAccumulatorValue)
/// p ← p − η̃·g / (√s + eps)
/// </code>
/// State: <c>"{i}.sum"</c>. Without weight decay a row-sparse gradient (an <c>Embedding</c>'s, see
/// <see cref="SparseGradient"/>) updates only its rows and their sums, with the same result.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private const string Sum = "sum";
    private readonly ParameterStates _state;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="lrDecay">Learning-rate decay ≥ 0 (η̃ = η / (1 + (t − 1)·lrDecay)).</param>
    /// <param name="weightDecay">L2 penalty coefficient added to the gradient.</param>
    /// <param name="initialAccumulatorValue">Initial value ≥ 0 of the sum of squares.</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public Adagrad(IEnumerable<Tensor> parameters, float lr = 0.01f, float lrDecay = 0f, float weightDecay = 0f,
        float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : base(parameters, lr)
    {
        LrDecay = Hyperparameters.NonNegative(lrDecay, nameof(lrDecay));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        InitialAccumulatorValue = Hyperparameters.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
        _state = new ParameterStates(Parameters, Sum);
    }

    /// <summary>Learning-rate decay.</summary>
    public float LrDecay { get; }

    /// <summary>L2 weight decay coefficient (coupled: added to the gradient).</summary>
    public float WeightDecay { get; }

    /// <summary>Initial value of the accumulated squares.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>Denominator term ε.</summary>
    public float Eps { get; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step()
    {
        StepCount++;
        float clr = (float)(LearningRate / (1.0 + (StepCount - 1) * (double)LrDecay));
        for (int i = 0; i < Parameters.Count; i++)
        {
            var param = Parameters[i];
            if (param.Grad is null) continue;
            if (WeightDecay == 0f && param.Rank == 2 && param.TryGetGradRows(out var rows))
            {
                // A zero gradient leaves both the row and its sum unchanged: only the written rows move.
                int width = param.Shape[1];
                _state.Scratch(width, out var row, out _);
                RowSparseUpdates.Adagrad(param.AsSpan(), param.Grad.AsReadOnlySpan(), _state.Get(Sum, i, InitialAccumulatorValue),
                    width, rows, clr, Eps, row);
                continue;
            }
            var p = param.AsSpan();
            _state.Scratch(p.Length, out var a, out var b);
            ReadOnlySpan<float> g = param.Grad.AsSpan();
            if (WeightDecay != 0f)
            {
                Primitives.MultiplyAdd(p, WeightDecay, g, a);
                g = a;
            }

            var s = _state.Get(Sum, i, InitialAccumulatorValue);
            Primitives.Multiply(g, g, b);
            Primitives.Add(s, b, s);
            Primitives.Sqrt(s, b);
            Primitives.Add(b, Eps, b);
            Primitives.Divide(g, b, b);
            Primitives.MultiplyAdd(b, -clr, p, p);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict() => _state.Export(StepCount);

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => StepCount = _state.Import(state, nameof(Adagrad));
}
