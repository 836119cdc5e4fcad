using System.Runtime.CompilerServices;
using Nabla.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
/// decay, exactly as <c>torch.optim.SGD</c>. For each parameter p with gradient g, step t:
/// <code>
/// g ← g + weightDecay·p
/// if momentum ≠ 0:
///     b ← g                                   (t = 1)
///     b ← momentum·b + (1 − dampening)·g      (t &gt; 1)
///     g ← nesterov ? g + momentum·b : b
/// p ← p − lr·g
/// </code>
/// State: <c>"{i}.momentum_buffer"</c> (only with momentum). Without momentum and weight decay a
/// row-sparse gradient (an <c>Embedding</c>'s, see <see cref="SparseGradient"/>) updates only its rows.
/// </summary>
/// <example><code>var opt = new SGD(model.Parameters(), lr: 0.1f, momentum: 0.9f, nesterov: true);</code></example>
public sealed class SGD : Optimizer
{
    private const string Buffer = "momentum_buffer";
    private readonly ParameterStates _state;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="momentum">Momentum factor μ ≥ 0.</param>
    /// <param name="dampening">Dampening d ≥ 0 of the gradient added to the momentum buffer.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs μ &gt; 0 and d = 0, like PyTorch).</param>
    /// <param name="weightDecay">L2 penalty coefficient added to the gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is negative or not finite.</exception>
    /// <exception cref="ArgumentException">Nesterov with zero momentum or non-zero dampening.</exception>
    public SGD(IEnumerable<Tensor> parameters, float lr, float momentum = 0f, float dampening = 0f, bool nesterov = false, float weightDecay = 0f)
        : base(parameters, lr)
    {
        Momentum = Hyperparameters.NonNegative(momentum, nameof(momentum));
        Dampening = Hyperparameters.NonNegative(dampening, nameof(dampening));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException($"Nesterov momentum requires momentum > 0 and dampening = 0, got momentum {momentum}, dampening {dampening}", nameof(nesterov));
        Nesterov = nesterov;
        _state = new ParameterStates(Parameters, Buffer);
    }

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Dampening d.</summary>
    public float Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 weight decay coefficient (coupled: added to the gradient).</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var param = Parameters[i];
            if (param.Grad is null) continue;
            if (Momentum == 0f && WeightDecay == 0f && param.Rank == 2 && param.TryGetGradRows(out var rows))
            {
                // Rows with a zero gradient would not move: update only the rows an embedding lookup wrote.
                RowSparseUpdates.Sgd(param.AsSpan(), param.Grad.AsReadOnlySpan(), param.Shape[1], rows, LearningRate);
                continue;
            }
            var p = param.AsSpan();
            _state.Scratch(p.Length, out var a, out _);
            ReadOnlySpan<float> g = param.Grad.AsSpan();
            if (WeightDecay != 0f)
            {
                Primitives.MultiplyAdd(p, WeightDecay, g, a);
                g = a;
            }

            if (Momentum != 0f)
            {
                bool fresh = _state.Find(Buffer, i) is null;
                var b = _state.Get(Buffer, i);
                if (fresh)
                {
                    g.CopyTo(b);
                }
                else
                {
                    Primitives.Multiply(b, Momentum, b);
                    Primitives.MultiplyAdd(g, 1f - Dampening, b, b);
                }

                if (Nesterov)
                {
                    Primitives.MultiplyAdd(b, Momentum, g, a);
                    g = a;
                }
                else
                {
                    g = b;
                }
            }

            Primitives.MultiplyAdd(g, -LearningRate, p, p);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict() => _state.Export(StepCount);

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => StepCount = _state.Import(state, nameof(SGD));
}
