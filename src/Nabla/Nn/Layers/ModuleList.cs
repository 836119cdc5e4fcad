using System.Collections;
using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// An indexed list of modules, as PyTorch's <c>nn.ModuleList</c>: its children are named "0", "1",
/// … so their parameters read <c>layers.0.linear1.weight</c> inside a parent, but unlike
/// <see cref="Sequential"/> it does not chain them — the parent decides how to call each one
/// (transformer layers take masks and memories besides their input).
/// </summary>
public sealed class ModuleList : Module, IReadOnlyList<Module>
{
    private readonly List<Module> _modules = [];

    /// <summary>A list of the given modules, in order.</summary>
    public ModuleList(params IEnumerable<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends <paramref name="module"/> (named by its position); returns this.</summary>
    public ModuleList Add(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(_modules.Count.ToString(CultureInfo.InvariantCulture), module);
        _modules.Add(module);
        return this;
    }

    /// <summary>Number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _modules[index];

    /// <summary>A list has no forward pass of its own (PyTorch's neither); its owner calls the modules.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("ModuleList has no forward pass: call its modules in turn (use Sequential to chain them)");

    /// <summary><c>ModuleList(2 modules)</c>.</summary>
    public override string Describe() => $"ModuleList({Count} module{(Count == 1 ? "" : "s")})";

    /// <summary>The modules in order.</summary>
    public IEnumerator<Module> GetEnumerator() => _modules.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
