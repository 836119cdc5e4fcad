using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// PyTorch's state-dict conventions that Nabla's float32 tensors do not carry by themselves:
/// <c>num_batches_tracked</c> is an int64 scalar (shape []) in PyTorch and a one-element float buffer
/// [1] in Nabla. Files are written PyTorch's way and both forms are read.
/// </summary>
internal static class PyTorchStateDict
{
    private const string Counter = "num_batches_tracked";

    /// <summary>The entries written as I64 scalars: every <c>…num_batches_tracked</c>.</summary>
    public static IReadOnlySet<string> Int64Scalars(IEnumerable<string> names) =>
        names.Where(n => n == Counter || n.EndsWith("." + Counter, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="state"/> with each one-element entry reshaped to the shape <paramref name="model"/>
    /// has for it ([] ↔ [1]), so scalars written by PyTorch load into Nabla's buffers; anything else is left
    /// for <see cref="Module.LoadStateDict"/> to check.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Adapt(IReadOnlyDictionary<string, Tensor> state, Module model)
    {
        var own = model.StateDict();
        Dictionary<string, Tensor>? adapted = null;
        foreach (var (name, t) in state)
        {
            if (t.Numel != 1 || !own.TryGetValue(name, out var target) || target.Numel != 1 || target.Shape == t.Shape) continue;
            adapted ??= new Dictionary<string, Tensor>(state, StringComparer.Ordinal);
            adapted[name] = t.Reshape(target.Shape.ToArray());
        }
        return adapted ?? state;
    }
}
