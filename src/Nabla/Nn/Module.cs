using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Base class of layers and models: owns parameters (tensors that require grad), buffers (state
/// that is saved but not trained, like BatchNorm's running mean) and child modules, and has a
/// training/evaluation mode. Names follow PyTorch's state dict: <c>0.weight</c>, <c>encoder.1.bias</c>.
/// </summary>
public abstract class Module
{
    private readonly List<NamedParameter> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];

    /// <summary>True in training mode (the default); dropout and batch norm behave differently in each.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output for a batch.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>
    /// Applies this module to a symbolic value while describing a <see cref="FunctionalModel"/> (Keras'
    /// <c>layer(x)</c> on a <c>KerasTensor</c>): records the step and returns the symbolic output. Applying
    /// the same module object twice shares its weights. <paramref name="name"/> is the module's state-dict
    /// name in the model (<c>aux.weight</c>); without one it is named by its position among the model's modules.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The module cannot take the value's shape.</exception>
    public SymbolicTensor Apply(SymbolicTensor input, string? name = null) => SymbolicTensor.Apply(this, input, name);

    /// <summary>Sets training mode on this module and every descendant (the public spelling is <see cref="ModuleModes.Train{T}(T, bool)"/>).</summary>
    internal void SetTraining(bool on)
    {
        IsTraining = on;
        foreach (var (_, child) in _children) child.SetTraining(on);
    }

    /// <summary>
    /// True once <see cref="ModuleModes.Freeze{T}(T)"/> was called on this module or an ancestor (and not undone by
    /// <see cref="ModuleModes.Unfreeze{T}(T)"/>): its parameters are not trained and its normalization statistics stay fixed.
    /// </summary>
    public bool IsFrozen { get; private set; }

    /// <summary>Freezes (or unfreezes) this module and every descendant (the public spelling is <see cref="ModuleModes.Freeze{T}(T)"/>).</summary>
    internal void SetFrozen(bool frozen)
    {
        IsFrozen = frozen;
        foreach (var p in _parameters)
        {
            p.Tensor.RequiresGrad = !frozen;
            if (frozen) p.Tensor.Grad = null;
        }
        foreach (var (_, child) in _children) child.SetFrozen(frozen);
    }

    /// <summary>
    /// Registers a trainable tensor under <paramref name="name"/>; it is marked RequiresGrad (unless the
    /// module is frozen) and must have been created outside any <see cref="TensorScope"/>. <paramref name="role"/> says
    /// what it is for, so penalties can pick the weights (<see cref="Parameters(ParameterRole)"/>):
    /// <see cref="ParameterRole.Weight"/> for dense, convolutional, recurrent and embedding weights,
    /// <see cref="ParameterRole.Bias"/>, <see cref="ParameterRole.Norm"/> for normalization γ and β.
    /// </summary>
    protected Tensor RegisterParameter(string name, Tensor parameter, ParameterRole role = ParameterRole.Other)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckName(name);
        parameter.RequiresGrad = !IsFrozen; // a lazy layer built inside a frozen module stays frozen
        _parameters.Add(new NamedParameter(name, parameter, role));
        return parameter;
    }

    /// <summary>Registers saved, untrained state (e.g. running statistics) under <paramref name="name"/>.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckName(name);
        _buffers.Add((name, buffer));
        return buffer;
    }

    /// <summary>Registers a child module whose parameters get the prefix <c>name.</c>; returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _children.Add((name, module));
        module.Train(IsTraining);
        return module;
    }

    private void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var p in _parameters) if (p.Name == name) throw new ArgumentException($"a parameter named '{name}' already exists", nameof(name));
        foreach (var (n, _) in _buffers) if (n == name) throw new ArgumentException($"a buffer named '{name}' already exists", nameof(name));
        foreach (var (n, _) in _children) if (n == name) throw new ArgumentException($"a module named '{name}' already exists", nameof(name));
    }

    /// <summary>Direct children with their names, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>
    /// Every parameter of this module and its descendants with its dotted name and role, in
    /// registration order (the state dict's order).
    /// </summary>
    public IEnumerable<NamedParameter> NamedParameters(string prefix = "")
    {
        foreach (var p in _parameters) yield return p with { Name = prefix + p.Name };
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedParameters(prefix + n + ".")) yield return item;
    }

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Tensor> Parameters()
    {
        foreach (var p in NamedParameters()) yield return p.Tensor;
    }

    /// <summary>
    /// The parameters registered with <paramref name="role"/>, in order: <c>Parameters(ParameterRole.Weight)</c>
    /// are what L1/L2 penalties and "weights only" weight decay act on.
    /// </summary>
    public IEnumerable<Tensor> Parameters(ParameterRole role)
    {
        foreach (var p in NamedParameters())
            if (p.Role == role) yield return p.Tensor;
    }

    /// <summary>Every buffer of this module and its descendants with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, b) in _buffers) yield return (prefix + n, b);
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedBuffers(prefix + n + ".")) yield return item;
    }

    /// <summary>
    /// Parameters and buffers by dotted name, as <c>state_dict()</c> in PyTorch. The tensors are the
    /// module's own (not copies).
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        AddState(d, "");
        return d;
    }

    // PyTorch's order: each module's parameters, then its buffers, then its children in turn.
    private void AddState(Dictionary<string, Tensor> d, string prefix)
    {
        foreach (var p in _parameters) d[prefix + p.Name] = p.Tensor;
        foreach (var (n, b) in _buffers) d[prefix + n] = b;
        foreach (var (n, c) in _children) c.AddState(d, prefix + n + ".");
    }

    /// <summary>
    /// Copies values into this module's parameters and buffers by name. Every name must be
    /// present with the same shape.
    /// </summary>
    /// <exception cref="ShapeMismatchException">A tensor's shape differs; names the entry and both shapes.</exception>
    /// <exception cref="KeyNotFoundException">An entry is missing or unexpected; names it.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        foreach (var key in state.Keys)
            if (!own.ContainsKey(key)) throw new KeyNotFoundException($"state dict has an unexpected entry '{key}'");
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) throw new KeyNotFoundException($"state dict has no entry '{name}'");
            if (source.Shape != target.Shape)
                throw new ShapeMismatchException($"state dict entry '{name}' has shape {source.Shape}, the module expects {target.Shape}");
            source.CopyTo(target.AsSpan());
        }
    }

    /// <summary>
    /// Sets every parameter's gradient to zero, keeping the buffers. The memory is not touched
    /// now: the next backward pass overwrites the gradient instead of adding to it, and reading
    /// <see cref="Tensor.Grad"/> before that returns zeros.
    /// </summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.MarkGradZero();
    }

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount()
    {
        long n = 0;
        foreach (var p in Parameters()) n += p.Numel;
        return n;
    }

    /// <summary>
    /// A Keras-like table of this model's layers, output shapes and parameter counts for inputs of
    /// <paramref name="inputShape"/> (full shape with the batch axis, e.g. <c>new Shape(1, 784)</c>);
    /// see <see cref="ModelSummary.Format"/>. Runs one forward pass without changing any state.
    /// </summary>
    public string Summary(Shape inputShape) => ModelSummary.Format(this, inputShape);

    /// <summary>
    /// True for layers that act on each position of a sequence separately and keep its leading
    /// <c>[N, T]</c> axes (dropout, activations, a dense layer applied per position), Keras'
    /// <c>supports_masking</c>: <see cref="Sequential"/> then hands the padding mask of the layer's
    /// input (<see cref="Tensor.Mask"/>) on to its output. Other layers drop the mask.
    /// </summary>
    public virtual bool SupportsMasking => false;

    /// <summary>
    /// A short description of the layer for summaries, like <c>Dense(784 → 256)</c>; defaults to
    /// the type name.
    /// </summary>
    public virtual string Describe() => GetType().Name;
}
