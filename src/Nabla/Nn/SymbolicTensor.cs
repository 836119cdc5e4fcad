using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A value of a <see cref="FunctionalModel"/> being described, Keras' <c>KerasTensor</c>: no numbers, only
/// where the value comes from — a model input (<see cref="FunctionalModel.Input"/>) or a module applied to
/// another symbolic value (<see cref="Module.Apply"/>) — and the shape of one sample. Values are immutable;
/// applying modules to them records a directed acyclic graph that <see cref="FunctionalModel"/> runs.
/// </summary>
/// <example><code>
/// var input = FunctionalModel.Input(784);
/// var hidden = dense1.Apply(input);                 // a symbolic [784] → [256]
/// </code></example>
public sealed class SymbolicTensor
{
    private static long s_created;

    internal SymbolicTensor(Shape sampleShape, Module? module, SymbolicTensor? source, string? name)
    {
        SampleShape = sampleShape;
        Module = module;
        Source = source;
        ModuleName = name;
        // Creation order is a topological order: a value exists only after the value it is computed from.
        Order = Interlocked.Increment(ref s_created);
    }

    /// <summary>The shape of one sample (without the batch axis), e.g. <c>[784]</c> or <c>[1, 28, 28]</c>.</summary>
    public Shape SampleShape { get; }

    /// <summary>The module that computes this value, or null for a model input.</summary>
    public Module? Module { get; }

    /// <summary>The value <see cref="Module"/> is applied to, or null for a model input.</summary>
    public SymbolicTensor? Source { get; }

    /// <summary>The state-dict name given to <see cref="Module"/> with <see cref="Module.Apply"/>, or null (named by position).</summary>
    public string? ModuleName { get; }

    /// <summary>True for a model input.</summary>
    public bool IsInput => Module is null;

    internal long Order { get; }

    /// <summary><c>Input[784]</c> or <c>Dense(784 → 256)[256]</c>.</summary>
    public override string ToString() => $"{(Module is null ? "Input" : Module.Describe())}{SampleShape}";

    /// <summary>
    /// Applies <paramref name="module"/> to this value: its output shape is found now (by running the module
    /// on one sample of zeros, without changing any state), so a misfit is reported where the graph is written.
    /// </summary>
    internal static SymbolicTensor Apply(Module module, SymbolicTensor input, string? name)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(input);
        if (name is not null) ArgumentException.ThrowIfNullOrEmpty(name);
        if (name is not null && name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"module name '{name}' contains '.', which separates state-dict names", nameof(name));
        if (module is ILazyModule { IsBuilt: false })
            throw new ArgumentException($"{module.Describe()} is not built: give it its input size or call Build(shape, rng) before applying it to a symbolic value", nameof(module));
        Shape output;
        try
        {
            output = ShapeProbe.OutputShape(module, new Shape([1, .. input.SampleShape.ToArray()]));
        }
        catch (ShapeMismatchException e)
        {
            throw new ShapeMismatchException($"{module.Describe()} cannot take {input}: {e.Message}");
        }
        return new SymbolicTensor(new Shape(output.ToArray()[1..]), module, input, name);
    }
}
