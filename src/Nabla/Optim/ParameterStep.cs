using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// What an <see cref="UpdateRule"/> sees of one parameter during one step: the parameter p, the
/// current direction d (the gradient until a rule replaces it), its own state, the group's
/// hyperparameters and the step number t. All spans cover the same range of the parameter (the
/// whole of it unless the update is split across threads). A value on the stack: building one
/// allocates nothing.
/// </summary>
public ref struct ParameterStep
{
    private readonly Span<float> _parameter;
    private readonly StepWorkspace _workspace;
    private readonly Tensor?[] _states;
    private readonly int[] _born;
    private readonly int _start;
    private ReadOnlySpan<float> _direction;
    private int _scratch; // which workspace buffer holds the direction: 0 neither, 1 or 2

    internal ParameterStep(Span<float> parameter, ReadOnlySpan<float> gradient, StepWorkspace workspace, Tensor?[] states, int[] born,
        int start, float learningRate, float weightDecay, int step)
    {
        _parameter = parameter;
        _direction = gradient;
        _workspace = workspace;
        _states = states;
        _born = born;
        _start = start;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        Step = step;
    }

    /// <summary>Offset of this rule's first state among the parameter's states (set by the optimizer before each rule).</summary>
    internal int StateBase;

    /// <summary>The parameter p (this range of it); rules that apply the step or decay p write it.</summary>
    public readonly Span<float> Parameter => _parameter;

    /// <summary>The direction d: the gradient at first, then what the previous rules made of it.</summary>
    public readonly ReadOnlySpan<float> Direction => _direction;

    /// <summary>
    /// The step size η for this parameter, the group's learning rate unless a rule scaled it
    /// (Adagrad's decay); the optimizer's final step is p ← p − η·d.
    /// </summary>
    public float LearningRate { get; set; }

    /// <summary>The group's weight decay coefficient λ.</summary>
    public readonly float WeightDecay { get; }

    /// <summary>t, the optimizer's step count including this step (1 on the first step).</summary>
    public readonly int Step { get; }

    /// <summary>
    /// A scratch buffer the length of the range that becomes the new direction. It never aliases
    /// the current <see cref="Direction"/>, so read that first (keep it in a local) and write the
    /// new direction here.
    /// </summary>
    public Span<float> NewDirection()
    {
        _scratch = _scratch == 1 ? 2 : 1;
        var buffer = _workspace.Buffer(_scratch, _parameter.Length);
        _direction = buffer;
        return buffer;
    }

    /// <summary>Makes <paramref name="direction"/> (typically one of this rule's state buffers) the direction.</summary>
    /// <exception cref="ArgumentException">Its length differs from the parameter range's.</exception>
    public void SetDirection(ReadOnlySpan<float> direction)
    {
        if (direction.Length != _parameter.Length)
            throw new ArgumentException($"a direction of {direction.Length} elements for a parameter range of {_parameter.Length}", nameof(direction));
        _scratch = _workspace.Holding(direction);
        _direction = direction;
    }

    /// <summary>This rule's state <paramref name="index"/> (in the order of <see cref="UpdateRule.StateNames"/>) for this range.</summary>
    public readonly Span<float> State(int index) => _states[StateBase + index]!.AsSpan().Slice(_start, _parameter.Length);

    /// <summary>
    /// True when state <paramref name="index"/> was created for this step (it held nothing before), as
    /// PyTorch's SGD starts its momentum buffer as a copy of the first gradient.
    /// </summary>
    public readonly bool IsNewState(int index) => _born[StateBase + index] == Step;
}
