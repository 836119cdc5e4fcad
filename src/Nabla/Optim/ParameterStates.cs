using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// The per-parameter state of an optimizer's chain: for parameter i, one tensor per state name of
/// every rule (in chain order), created on the parameter's first step with
/// <see cref="Tensor.Owned"/> so it outlives every scope, and the step it was created at
/// (so a rule can tell a fresh buffer, see <see cref="ParameterStep.IsNewState"/>).
/// </summary>
internal sealed class ParameterStates
{
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly Tensor?[][] _slots;
    private readonly int[][] _born;

    public ParameterStates(IReadOnlyList<Tensor> parameters, string[] names, float[] initial)
    {
        _parameters = parameters;
        Names = names;
        Initial = initial;
        _slots = new Tensor?[parameters.Count][];
        _born = new int[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            _slots[i] = new Tensor?[names.Length];
            _born[i] = new int[names.Length];
        }
    }

    /// <summary>Every state name, rule by rule in chain order.</summary>
    public string[] Names { get; }

    /// <summary>The value each state starts at.</summary>
    public float[] Initial { get; }

    /// <summary>Parameter <paramref name="index"/>'s state tensors (null before they exist).</summary>
    public Tensor?[] Row(int index) => _slots[index];

    /// <summary>The step at which each of parameter <paramref name="index"/>'s states was created (0: loaded or never).</summary>
    public int[] Born(int index) => _born[index];

    /// <summary>Creates parameter <paramref name="index"/>'s missing states, recording <paramref name="step"/> as their birth.</summary>
    public void Ensure(int index, int step)
    {
        var row = _slots[index];
        for (int k = 0; k < row.Length; k++)
        {
            if (row[k] is not null) continue;
            var t = Tensor.Owned(_parameters[index].Shape);
            if (Initial[k] != 0f) t.AsSpan().Fill(Initial[k]);
            row[k] = t;
            _born[index][k] = step;
        }
    }

    /// <summary>Forgets every state (before a load).</summary>
    public void Clear()
    {
        foreach (var row in _slots) Array.Clear(row);
        foreach (var born in _born) Array.Clear(born);
    }

    /// <summary>Installs a copy of <paramref name="value"/> as state <paramref name="name"/> of parameter <paramref name="index"/>.</summary>
    /// <returns>False when the chain keeps no state of that name.</returns>
    public bool Set(int index, string name, Tensor value)
    {
        int k = Array.IndexOf(Names, name);
        if (k < 0) return false;
        var t = Tensor.Owned(value.Shape);
        value.CopyTo(t.AsSpan());
        _slots[index][k] = t;
        _born[index][k] = 0;
        return true;
    }
}
