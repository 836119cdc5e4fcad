using System.Runtime.CompilerServices;
using Nabla.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// RMSProp, exactly as <c>torch.optim.RMSprop</c>. For each parameter p with gradient g:
/// <code>
/// g ← g + weightDecay·p
/// v ← α·v + (1 − α)·g²
/// centered:  ḡ ← α·ḡ + (1 − α)·g;  d ← √(v − ḡ²) + eps
/// otherwise: d ← √v + eps
/// momentum μ &gt; 0: b ← μ·b + g/d;  p ← p − lr·b      (b starts at 0)
/// otherwise:       p ← p − lr·g/d
/// </code>
/// State: <c>"{i}.square_avg"</c>, <c>"{i}.grad_avg"</c> (centered), <c>"{i}.momentum_buffer"</c> (momentum).
/// </summary>
public sealed class RMSProp : Optimizer
{
    private const string SquareAvg = "square_avg", GradAvg = "grad_avg", Buffer = "momentum_buffer";
    private readonly ParameterStates _state;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="alpha">Smoothing constant α in [0, 1).</param>
    /// <param name="eps">Term added to the denominator, &gt; 0.</param>
    /// <param name="weightDecay">L2 penalty coefficient added to the gradient.</param>
    /// <param name="momentum">Momentum factor μ ≥ 0.</param>
    /// <param name="centered">Normalize by the estimated variance of the gradient instead of its second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range; the message names it.</exception>
    public RMSProp(IEnumerable<Tensor> parameters, float lr = 0.01f, float alpha = 0.99f, float eps = 1e-8f,
        float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(parameters, lr)
    {
        Alpha = Hyperparameters.UnitInterval(alpha, nameof(alpha));
        Eps = Hyperparameters.Positive(eps, nameof(eps));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        Momentum = Hyperparameters.NonNegative(momentum, nameof(momentum));
        Centered = centered;
        _state = new ParameterStates(Parameters, SquareAvg, GradAvg, Buffer);
    }

    /// <summary>Smoothing constant α.</summary>
    public float Alpha { get; }

    /// <summary>Denominator term ε.</summary>
    public float Eps { get; }

    /// <summary>L2 weight decay coefficient (coupled: added to the gradient).</summary>
    public float WeightDecay { get; }

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var param = Parameters[i];
            if (param.Grad is null) continue;
            var p = param.AsSpan();
            _state.Scratch(p.Length, out var a, out var d);
            ReadOnlySpan<float> g = param.Grad.AsSpan();
            if (WeightDecay != 0f)
            {
                Primitives.MultiplyAdd(p, WeightDecay, g, a);
                g = a;
            }

            var v = _state.Get(SquareAvg, i);
            Primitives.Multiply(v, Alpha, v);
            Primitives.Multiply(g, g, d);
            Primitives.MultiplyAdd(d, 1f - Alpha, v, v);
            if (Centered)
            {
                var gAvg = _state.Get(GradAvg, i);
                Primitives.Multiply(gAvg, Alpha, gAvg);
                Primitives.MultiplyAdd(g, 1f - Alpha, gAvg, gAvg);
                Primitives.Multiply(gAvg, gAvg, d);
                Primitives.Subtract(v, d, d);
                Primitives.Sqrt(d, d);
            }
            else
            {
                Primitives.Sqrt(v, d);
            }

            Primitives.Add(d, Eps, d);
            if (Momentum > 0f)
            {
                var b = _state.Get(Buffer, i);
                Primitives.Multiply(b, Momentum, b);
                Primitives.Divide(g, d, d);
                Primitives.Add(b, d, b);
                Primitives.MultiplyAdd(b, -LearningRate, p, p);
            }
            else
            {
                Primitives.Divide(g, d, d);
                Primitives.MultiplyAdd(d, -LearningRate, p, p);
            }
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict() => _state.Export(StepCount);

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => StepCount = _state.Import(state, nameof(RMSProp));
}
