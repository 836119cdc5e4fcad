using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Optim;

public partial class Optimizer
{
    private const string GroupPrefix = "param_groups.";

    /// <summary>
    /// The optimizer's state in <c>torch.optim</c>'s layout, flattened to tensor names:
    /// <code>
    /// step                          [1]  t, the steps taken
    /// {i}.{state}                        parameter i's state (e.g. 0.exp_avg), i counting over all groups in order
    /// param_groups.{g}.lr           [1]  group g's learning rate
    /// param_groups.{g}.weight_decay [1]  group g's weight decay
    /// param_groups.{g}.params       [n]  the indices i of group g's parameters
    /// </code>
    /// The state tensors are the optimizer's own (not copies).
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["step"] = Tensor.FromArray([StepCount], 1) };
        for (int i = 0; i < _parameters.Length; i++)
        {
            var row = _state.Row(i);
            for (int k = 0; k < row.Length; k++)
                if (row[k] is { } t) result[string.Create(CultureInfo.InvariantCulture, $"{i}.{_state.Names[k]}")] = t;
        }
        for (int g = 0; g < _groups.Length; g++)
        {
            string prefix = string.Create(CultureInfo.InvariantCulture, $"{GroupPrefix}{g}.");
            result[prefix + "lr"] = Tensor.FromArray([(float)_groups[g].LearningRate], 1);
            result[prefix + "weight_decay"] = Tensor.FromArray([(float)_groups[g].WeightDecay], 1);
            int count = _groupStart[g + 1] - _groupStart[g];
            result[prefix + "params"] = Tensor.FromArray([.. Enumerable.Range(_groupStart[g], count).Select(i => (float)i)], count);
        }
        return result;
    }

    /// <summary>
    /// Restores state saved by <see cref="StateDict"/>: the step count, every state tensor (copied)
    /// and, like PyTorch's <c>load_state_dict</c>, each group's learning rate and weight decay.
    /// A dict without <c>param_groups.*</c> entries (written before groups existed) loads into the
    /// optimizer's parameters in order and keeps its current rates. Nothing changes when it fails.
    /// </summary>
    /// <exception cref="ArgumentException">A key is unknown, an index is out of range, <c>step</c> is missing, or the groups differ.</exception>
    /// <exception cref="ShapeMismatchException">A state tensor's shape differs from its parameter's.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string owner = GetType().Name;
        if (!state.TryGetValue("step", out var stepTensor) || stepTensor.Numel != 1)
            throw new ArgumentException($"{owner} state dict needs a one-element \"step\" tensor", nameof(state));
        var tensors = new List<(int Index, string Name, Tensor Value)>();
        var groups = new Dictionary<int, (float? Lr, float? WeightDecay, float[]? Params)>();
        foreach (var (key, value) in state)
        {
            if (key == "step") continue;
            if (key.StartsWith(GroupPrefix, StringComparison.Ordinal))
            {
                ReadGroupEntry(key, value, groups, owner);
                continue;
            }
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !int.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                || index >= _parameters.Length || !_state.Names.Contains(key[(dot + 1)..]))
                throw new ArgumentException($"{owner} state dict has unknown key \"{key}\" ({_parameters.Length} parameters, states: {string.Join(", ", _state.Names)})", nameof(state));
            if (value.Shape != _parameters[index].Shape)
                throw new ShapeMismatchException($"{owner} state \"{key}\" has shape {value.Shape} but parameter {index} has shape {_parameters[index].Shape}");
            tensors.Add((index, key[(dot + 1)..], value));
        }
        if (groups.Count > 0) CheckGroups(groups, owner);

        _state.Clear();
        foreach (var (index, name, value) in tensors) _state.Set(index, name, value);
        foreach (var (g, (lr, wd, _)) in groups)
        {
            _groups[g].LearningRate = lr!.Value;
            _groups[g].WeightDecay = wd!.Value;
        }
        StepCount = (int)stepTensor.Item();
    }

    private void ReadGroupEntry(string key, Tensor value, Dictionary<int, (float? Lr, float? WeightDecay, float[]? Params)> groups, string owner)
    {
        var rest = key.AsSpan(GroupPrefix.Length);
        int dot = rest.IndexOf('.');
        if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int g))
            throw new ArgumentException($"{owner} state dict has unknown key \"{key}\"", nameof(value));
        var entry = groups.GetValueOrDefault(g);
        switch (rest[(dot + 1)..])
        {
            case "lr" when value.Numel == 1: entry.Lr = value.Item(); break;
            case "weight_decay" when value.Numel == 1: entry.WeightDecay = value.Item(); break;
            case "params": entry.Params = value.ToArray(); break;
            default: throw new ArgumentException($"{owner} state dict has unknown key \"{key}\" (a group has lr, weight_decay and params)", nameof(value));
        }
        groups[g] = entry;
    }

    private void CheckGroups(Dictionary<int, (float? Lr, float? WeightDecay, float[]? Params)> groups, string owner)
    {
        if (groups.Count != _groups.Length || groups.Keys.Any(g => g >= _groups.Length))
            throw new ArgumentException($"{owner} state dict has {groups.Count} parameter groups, the optimizer has {_groups.Length}", "state");
        foreach (var (g, (lr, wd, ps)) in groups)
        {
            if (lr is null || wd is null || ps is null)
                throw new ArgumentException($"{owner} state dict's parameter group {g} needs lr, weight_decay and params", "state");
            Hyperparameters.NonNegative(lr.Value, $"param_groups.{g}.lr");
            Hyperparameters.NonNegative(wd.Value, $"param_groups.{g}.weight_decay");
            int start = _groupStart[g], count = _groupStart[g + 1] - start;
            bool same = ps.Length == count;
            for (int k = 0; same && k < count; k++) same = ps[k] == start + k;
            if (!same)
                throw new ArgumentException($"{owner} state dict's parameter group {g} holds parameters [{string.Join(", ", ps)}], the optimizer's group {g} holds {count} starting at {start}", "state");
        }
    }
}
