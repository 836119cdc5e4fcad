using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training.Callbacks;

/// <summary>
/// An in-memory copy of a module's state dict (parameters and buffers). Capturing again reuses
/// the copies, so repeated snapshots allocate nothing.
/// </summary>
public sealed class StateSnapshot
{
    private readonly Dictionary<string, Tensor> _copies = [];

    /// <summary>The copied tensors by state-dict name (the snapshot's own, never the module's).</summary>
    public IReadOnlyDictionary<string, Tensor> State => _copies;

    /// <summary>True once something was captured.</summary>
    public bool IsEmpty => _copies.Count == 0;

    /// <summary>Copies the module's current state into this snapshot.</summary>
    public void Capture(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (name, source) in model.StateDict())
        {
            if (!_copies.TryGetValue(name, out var copy) || copy.Shape != source.Shape)
                _copies[name] = copy = Tensor.Owned(source.Shape);
            source.CopyTo(copy.AsSpan());
        }
    }

    /// <summary>Writes the snapshot back into the module (in place).</summary>
    /// <exception cref="InvalidOperationException">Nothing was captured.</exception>
    public void Restore(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (IsEmpty) throw new InvalidOperationException("the snapshot is empty: nothing was captured");
        model.LoadStateDict(_copies);
    }
}
