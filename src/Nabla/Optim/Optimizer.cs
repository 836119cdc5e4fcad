using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Base class of optimizers: holds the parameters, the learning rate and per-parameter state,
/// and applies one update per <see cref="Step"/> from the gradients in <see cref="Tensor.Grad"/>.
/// Parameters whose gradient is null are skipped.
/// </summary>
public abstract class Optimizer
{
    private readonly Tensor[] _parameters;

    /// <summary>Creates an optimizer over <paramref name="parameters"/> with learning rate <paramref name="learningRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative or not finite.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        LearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="Step"/>, in order.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The step size η; schedules change it between steps.</summary>
    public float LearningRate
    {
        get;
        set
        {
            if (!float.IsFinite(value) || value < 0)
                throw new ArgumentOutOfRangeException(nameof(value), $"learning rate must be a finite number ≥ 0, got {value}");
            field = value;
        }
    }

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public int StepCount { get; protected set; }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public abstract void Step();

    /// <summary>
    /// Sets every parameter's gradient to zero, keeping the buffers. The memory is not touched
    /// now: the next backward pass overwrites the gradient instead of adding to it, and reading
    /// <see cref="Tensor.Grad"/> before that returns zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.MarkGradZero();
    }

    /// <summary>
    /// Per-parameter state (e.g. <c>0.exp_avg</c>) and the step count, for saving; the tensors are
    /// the optimizer's own.
    /// </summary>
    public abstract IReadOnlyDictionary<string, Tensor> StateDict();

    /// <summary>Restores state saved by <see cref="StateDict"/>.</summary>
    public abstract void LoadStateDict(IReadOnlyDictionary<string, Tensor> state);
}
