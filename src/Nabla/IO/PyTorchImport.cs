using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// Loads a plain PyTorch state dict saved as safetensors (<c>safetensors.torch.save_file(model.state_dict(), …)</c>)
/// into the Nabla model its SPEC describes. A SPEC builds the same modules in the same order as the
/// PyTorch <c>nn.Sequential</c> twin, so the keys match (<c>0.weight</c>, <c>2.running_mean</c>, …);
/// a prefix shared by every key (<c>model.</c>, <c>module.</c> from a wrapper or DataParallel) is
/// dropped. F16, BF16, F64 and I64 tensors are converted to float32; <c>num_batches_tracked</c> may be
/// PyTorch's int64 scalar or Nabla's one-element tensor.
/// </summary>
/// <example><code>
/// var model = PyTorchImport.Load("mlp.safetensors", "dense(16) relu batchnorm dense(3)", new Shape(1, 4));
/// </code></example>
public static class PyTorchImport
{
    /// <summary>
    /// Builds the <see cref="Sequential"/> of <paramref name="spec"/> for inputs shaped like
    /// <paramref name="inputShape"/> (batch axis included) and loads the weights of
    /// <paramref name="weightsPath"/> into it; the model is returned in evaluation mode.
    /// </summary>
    /// <exception cref="ModelSpecException">The SPEC is malformed or does not fit the input shape.</exception>
    /// <exception cref="ModelFileException">The file is unreadable, or its tensors do not match the SPEC's names and shapes.</exception>
    public static Sequential Load(string weightsPath, string spec, Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var model = ModelBuilder.Build(ModelSpec.Parse(spec), inputShape, new Rng(0));
        LoadInto(model, weightsPath, $"the SPEC \"{spec}\"");
        return model;
    }

    /// <summary>Loads the state dict in <paramref name="weightsPath"/> into <paramref name="model"/> (evaluation mode afterwards).</summary>
    /// <exception cref="ModelFileException">The file is unreadable, or its tensors do not match the model's names and shapes.</exception>
    public static void LoadInto(Module model, string weightsPath) => LoadInto(model, weightsPath, model?.Describe() ?? "");

    /// <summary>
    /// The input shape [1, in] that a SPEC starting with a dense layer implies from the weights in
    /// <paramref name="weightsPath"/> (<c>0.weight</c> is [out, in]); null when the first layer does not
    /// fix it (a convolution fixes the channels but not the image size).
    /// </summary>
    /// <exception cref="ModelFileException">The file is unreadable.</exception>
    public static Shape? InferInputShape(string weightsPath, string spec)
    {
        var layers = ModelSpec.Parse(spec);
        if (layers[0].Name is not ("dense" or "linear")) return null;
        var state = StripCommonPrefix(Safetensors.Load(weightsPath).Tensors, ["0.weight"]);
        return state.TryGetValue("0.weight", out var w) && w.Rank == 2 ? new Shape(1, w.Shape[1]) : null;
    }

    private static void LoadInto(Module model, string weightsPath, string what)
    {
        ArgumentNullException.ThrowIfNull(model);
        string name = Path.GetFileName(weightsPath);
        var own = model.StateDict();
        var state = StripCommonPrefix(Safetensors.Load(weightsPath).Tensors, own.Keys);
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new ModelFileException($"{name}: the state dict does not match {what}: "
                + (missing.Count > 0 ? $"missing {List(missing)}" : "")
                + (missing.Count > 0 && unexpected.Count > 0 ? "; " : "")
                + (unexpected.Count > 0 ? $"unexpected {List(unexpected)}" : "")
                + $" (the model expects {List([.. own.Keys])})");
        try
        {
            model.LoadStateDict(PyTorchStateDict.Adapt(state, model));
        }
        catch (ShapeMismatchException e)
        {
            throw new ModelFileException($"{name}: {e.Message} (in {what})", e);
        }
        model.Eval();
    }

    // "model.0.weight" → "0.weight" when every key has the prefix and the model's names need it gone.
    private static IReadOnlyDictionary<string, Tensor> StripCommonPrefix(IReadOnlyDictionary<string, Tensor> state, IEnumerable<string> wanted)
    {
        var want = wanted.ToHashSet(StringComparer.Ordinal);
        if (state.Count == 0 || state.Keys.Any(want.Contains)) return state;
        string first = state.Keys.First();
        int dot = first.IndexOf('.', StringComparison.Ordinal);
        if (dot < 1) return state;
        string prefix = first[..(dot + 1)];
        if (!state.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal))) return state;
        var stripped = state.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        return stripped.Keys.Any(want.Contains) ? stripped : state;
    }

    private static string List(IReadOnlyList<string> keys) =>
        keys.Count <= 8 ? string.Join(", ", keys) : $"{string.Join(", ", keys.Take(8))}, … ({keys.Count} in all)";
}
