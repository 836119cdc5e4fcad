using System.Globalization;
using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A model shaped as a graph (Keras' functional API): inputs, modules applied to symbolic values, several
/// outputs. Describe it with <see cref="Input"/> and <see cref="Module.Apply"/>, then give the inputs and
/// outputs; <see cref="ForwardAll"/> runs the recorded steps in topological order and returns every output.
/// A module applied twice is one module (its weights are shared). Auxiliary outputs at intermediate layers
/// (multi-level supervision) are trained with <c>MultiOutputLoss</c> (one loss and weight per output).
/// </summary>
/// <remarks>
/// State-dict names are stable: each module is registered once, in the order the model first uses it
/// (creation order of the steps, which is a topological order), under the name given to
/// <see cref="Module.Apply"/> or else its position among the model's modules, <c>0</c>, <c>1</c>, … — so a
/// chain written functionally has the same state dict as the <see cref="Sequential"/> of its modules.
/// The model is rebuilt by running the same code; <see cref="Module.LoadStateDict"/> then loads its weights.
/// </remarks>
/// <example><code>
/// var input = FunctionalModel.Input(784);
/// var h = hidden2.Apply(act.Apply(hidden1.Apply(input)));
/// var aux = auxHead.Apply(h, "aux");                        // auxiliary output at an intermediate layer
/// var main = head.Apply(act.Apply(hidden3.Apply(h)));
/// var model = new FunctionalModel([input], [main, aux]);
/// Tensor[] outputs = model.ForwardAll(x);                   // [main, aux]; model.Forward(x) is main alone
/// </code></example>
public sealed class FunctionalModel : Module
{
    private readonly SymbolicTensor[] _inputs;
    private readonly SymbolicTensor[] _outputs;
    private readonly (Module Module, int Source)[] _steps;   // step i writes slot inputs.Length + i
    private readonly int[] _outputSlots;
    private readonly bool[] _neededForFirst;                    // the steps Forward (output 0 only) runs
    private readonly Tensor?[] _values;

    /// <summary>A model input: one sample has shape <paramref name="sampleShape"/> (no batch axis), e.g. <c>Input(784)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static SymbolicTensor Input(params int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        foreach (var d in sampleShape)
            if (d < 1) throw new ArgumentOutOfRangeException(nameof(sampleShape), $"input sizes must be at least 1, got [{string.Join(", ", sampleShape)}]");
        return new SymbolicTensor(new Shape(sampleShape), null, null, null);
    }

    /// <summary>The model computing <paramref name="outputs"/> from <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">No outputs, an input listed twice or not an input, an output that needs a value
    /// outside the inputs, one module given two names, or two modules given one name.</exception>
    public FunctionalModel(IReadOnlyList<SymbolicTensor> inputs, IReadOnlyList<SymbolicTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0) throw new ArgumentException("a functional model needs at least one input", nameof(inputs));
        if (outputs.Count == 0) throw new ArgumentException("a functional model needs at least one output", nameof(outputs));
        _inputs = [.. inputs];
        _outputs = [.. outputs];
        for (int i = 0; i < _inputs.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_inputs[i], nameof(inputs));
            if (!_inputs[i].IsInput) throw new ArgumentException($"inputs[{i}] is {_inputs[i]}, not a value made by FunctionalModel.Input", nameof(inputs));
            if (Array.IndexOf(_inputs, _inputs[i]) != i) throw new ArgumentException($"inputs[{i}] is listed twice", nameof(inputs));
        }

        // Every value the outputs depend on, each once; creation order is a topological order.
        var reached = new HashSet<SymbolicTensor>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<SymbolicTensor>();
        for (int o = 0; o < _outputs.Length; o++)
        {
            ArgumentNullException.ThrowIfNull(_outputs[o], nameof(outputs));
            pending.Push(_outputs[o]);
        }
        while (pending.Count > 0)
        {
            var v = pending.Pop();
            if (!reached.Add(v)) continue;
            if (v.IsInput)
            {
                if (Array.IndexOf(_inputs, v) < 0)
                    throw new ArgumentException($"the outputs depend on an input {v} that is not among the model's inputs", nameof(inputs));
            }
            else pending.Push(v.Source!);
        }
        var steps = reached.Where(v => !v.IsInput).OrderBy(v => v.Order).ToArray();

        var slot = new Dictionary<SymbolicTensor, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _inputs.Length; i++) slot[_inputs[i]] = i;
        for (int i = 0; i < steps.Length; i++) slot[steps[i]] = _inputs.Length + i;
        _steps = new (Module, int)[steps.Length];
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        var owners = new Dictionary<string, Module>(StringComparer.Ordinal);
        for (int i = 0; i < steps.Length; i++)
        {
            var module = steps[i].Module!;
            if (ReferenceEquals(module, this)) throw new ArgumentException("a functional model cannot contain itself", nameof(outputs));
            _steps[i] = (module, slot[steps[i].Source!]);
            string? given = steps[i].ModuleName;
            if (names.TryGetValue(module, out var known))
            {
                if (given is not null && given != known)
                    throw new ArgumentException($"{module.Describe()} is applied under two names, '{known}' and '{given}'", nameof(outputs));
                continue;
            }
            // A later application may carry the name: look ahead so the module is registered under it.
            given ??= steps.Skip(i + 1).FirstOrDefault(s => ReferenceEquals(s.Module, module) && s.ModuleName is not null)?.ModuleName;
            string name = given ?? names.Count.ToString(CultureInfo.InvariantCulture);
            if (owners.TryGetValue(name, out var other))
                throw new ArgumentException($"two modules are named '{name}': {other.Describe()} and {module.Describe()}", nameof(outputs));
            names[module] = name;
            owners[name] = module;
            RegisterModule(name, module);
        }

        _outputSlots = new int[_outputs.Length];
        for (int o = 0; o < _outputs.Length; o++) _outputSlots[o] = slot[_outputs[o]];
        _neededForFirst = new bool[steps.Length];
        for (int s = _outputSlots[0]; s >= _inputs.Length; s = _steps[s - _inputs.Length].Source)
            _neededForFirst[s - _inputs.Length] = true;
        _values = new Tensor?[_inputs.Length + steps.Length];
    }

    /// <summary>The model's inputs, in the order <see cref="ForwardAll"/> takes them.</summary>
    public IReadOnlyList<SymbolicTensor> Inputs => _inputs;

    /// <summary>The model's outputs, in the order <see cref="ForwardAll"/> returns them (the first is the main output).</summary>
    public IReadOnlyList<SymbolicTensor> Outputs => _outputs;

    /// <summary>The recorded steps in the order they run: each module and the index of the step whose output it
    /// reads (−1 − k for input k). For exporters and summaries.</summary>
    public IEnumerable<(Module Module, string Name, int Source)> Steps()
    {
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, m) in NamedChildren()) names[m] = n;
        foreach (var (module, source) in _steps)
            yield return (module, names[module], source < _inputs.Length ? -1 - source : source - _inputs.Length);
    }

    /// <summary>The index of the step computing output <paramref name="output"/> (−1 − k when it is input k itself).</summary>
    public int OutputStep(int output) =>
        _outputSlots[output] < _inputs.Length ? -1 - _outputSlots[output] : _outputSlots[output] - _inputs.Length;

    /// <summary>
    /// The main (first) output for a model with one input; only the steps it needs run. <see cref="ForwardAll"/>
    /// computes every output.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has several inputs.</exception>
    /// <exception cref="ShapeMismatchException">The input's sample shape differs from the model input's.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (_inputs.Length != 1)
            throw new InvalidOperationException($"this functional model has {_inputs.Length} inputs: call ForwardAll with one tensor per input");
        return Run([input], _neededForFirst)[0];
    }

    /// <summary>Every output, in the order of <see cref="Outputs"/>, for one tensor <c>[N, …]</c> per input.</summary>
    /// <exception cref="ArgumentException">The number of tensors differs from the number of inputs.</exception>
    /// <exception cref="ShapeMismatchException">A tensor's sample shape differs from its input's, or batch sizes differ.</exception>
    public Tensor[] ForwardAll(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != _inputs.Length)
            throw new ArgumentException($"this functional model has {_inputs.Length} input(s), got {inputs.Length} tensor(s)", nameof(inputs));
        return Run(inputs, null);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Tensor[] Run(Tensor[] inputs, bool[]? only)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            ArgumentNullException.ThrowIfNull(x, nameof(inputs));
            var expected = _inputs[i].SampleShape;
            bool fits = x.Rank == expected.Rank + 1 && (i == 0 || x.Shape[0] == inputs[0].Shape[0]);
            for (int d = 0; fits && d < expected.Rank; d++) fits = x.Shape[d + 1] == expected[d];
            if (!fits)
                throw new ShapeMismatchException($"functional model input {i} expects [N, {string.Join(", ", expected.ToArray())}], got {x.Shape}");
            _values[i] = x;
        }
        try
        {
            for (int s = 0; s < _steps.Length; s++)
            {
                if (only is not null && !only[s]) continue;
                var (module, source) = _steps[s];
                var x = _values[source]!;
                var y = module.Forward(x);
                // As Sequential: a padding mask passes through modules that act on each position separately.
                if (x.Mask is { } mask && y.Mask is null && module.SupportsMasking) y.Mask = mask;
                _values[_inputs.Length + s] = y;
            }
            var result = new Tensor[only is null ? _outputs.Length : 1];
            for (int o = 0; o < result.Length; o++) result[o] = _values[_outputSlots[o]]!;
            return result;
        }
        finally
        {
            Array.Clear(_values); // the model keeps no tensor of a finished pass alive
        }
    }

    /// <summary><c>FunctionalModel(1 input, 7 modules, 2 outputs)</c>.</summary>
    public override string Describe() =>
        $"FunctionalModel({_inputs.Length} input{(_inputs.Length == 1 ? "" : "s")}, {NamedChildren().Count()} module{(NamedChildren().Count() == 1 ? "" : "s")}, {_outputs.Length} output{(_outputs.Length == 1 ? "" : "s")})";
}
