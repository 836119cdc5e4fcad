using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Named per-parameter state tensors (e.g. <c>exp_avg</c>), created lazily on the first step with
/// <see cref="Tensor.Persistent"/> so they outlive every scope, and exported as
/// <c>"{index}.{name}"</c> like <c>torch.optim</c>'s state dict.
/// </summary>
internal sealed class ParameterStates
{
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly Dictionary<string, Tensor?[]> _slots = [];
    private float[] _scratchA = [], _scratchB = [];

    public ParameterStates(IReadOnlyList<Tensor> parameters, params string[] names)
    {
        _parameters = parameters;
        foreach (var name in names) _slots[name] = new Tensor?[parameters.Count];
    }

    /// <summary>The state <paramref name="name"/> of parameter <paramref name="index"/>, or null before it exists.</summary>
    public Tensor? Find(string name, int index) => _slots[name][index];

    /// <summary>The state, created filled with <paramref name="initial"/> on first use.</summary>
    public Span<float> Get(string name, int index, float initial = 0f)
    {
        var slot = _slots[name];
        if (slot[index] is null)
        {
            var t = Tensor.Persistent(_parameters[index].Shape);
            if (initial != 0f) t.AsSpan().Fill(initial);
            slot[index] = t;
        }
        return slot[index]!.AsSpan();
    }

    /// <summary>Two scratch spans of length <paramref name="length"/>, grown once and reused every step.</summary>
    public void Scratch(int length, out Span<float> a, out Span<float> b)
    {
        if (_scratchA.Length < length)
        {
            _scratchA = new float[length];
            _scratchB = new float[length];
        }
        a = _scratchA.AsSpan(0, length);
        b = _scratchB.AsSpan(0, length);
    }

    /// <summary>Every existing state tensor as <c>"{index}.{name}"</c>, plus <c>"step"</c> holding <paramref name="step"/>.</summary>
    public Dictionary<string, Tensor> Export(int step)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["step"] = Tensor.FromArray([step], 1) };
        foreach (var (name, slot) in _slots)
            for (int i = 0; i < slot.Length; i++)
                if (slot[i] is { } t) result[string.Create(CultureInfo.InvariantCulture, $"{i}.{name}")] = t;
        return result;
    }

    /// <summary>Copies saved state into this optimizer's own tensors; returns the saved step count.</summary>
    /// <exception cref="ArgumentException">A key is unknown, an index is out of range, or <c>step</c> is missing.</exception>
    /// <exception cref="ShapeMismatchException">A state tensor's shape differs from its parameter's.</exception>
    public int Import(IReadOnlyDictionary<string, Tensor> state, string optimizer)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("step", out var stepTensor) || stepTensor.Numel != 1)
            throw new ArgumentException($"{optimizer} state dict needs a one-element \"step\" tensor", nameof(state));
        foreach (var slot in _slots.Values) Array.Clear(slot);
        foreach (var (key, value) in state)
        {
            if (key == "step") continue;
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !int.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                || index >= _parameters.Count || !_slots.TryGetValue(key[(dot + 1)..], out var slot))
                throw new ArgumentException($"{optimizer} state dict has unknown key \"{key}\" ({_parameters.Count} parameters, states: {string.Join(", ", _slots.Keys)})", nameof(state));
            if (value.Shape != _parameters[index].Shape)
                throw new ShapeMismatchException($"{optimizer} state \"{key}\" has shape {value.Shape} but parameter {index} has shape {_parameters[index].Shape}");
            var t = Tensor.Persistent(value.Shape);
            value.CopyTo(t.AsSpan());
            slot[index] = t;
        }
        return (int)stepTensor.Item();
    }
}
