using Nabla.IO;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// The optimizer-state file beside a model file, <c>FILE.optim.safetensors</c>: the optimizer's
/// state dict (moments or momentum buffers named <c>{i}.exp_avg</c>, …, and <c>step</c>) and its name
/// in <c>nabla.optimizer</c>. Kept out of the model file so that stays a plain PyTorch-style weights file.
/// </summary>
internal static class OptimizerState
{
    private const string NameKey = "nabla.optimizer";

    /// <summary>The state file of a model file.</summary>
    public static string PathFor(string modelPath) => modelPath + ".optim.safetensors";

    /// <summary>Writes <paramref name="optimizer"/>'s state beside <paramref name="modelPath"/> (atomically).</summary>
    public static void Save(string modelPath, Optimizer optimizer, string name) =>
        Safetensors.Save(PathFor(modelPath), optimizer.StateDict(), new Dictionary<string, string> { [NameKey] = name });

    /// <summary>
    /// Loads the state saved beside <paramref name="modelPath"/> into <paramref name="optimizer"/>;
    /// false when there is no state file (the optimizer then starts afresh).
    /// </summary>
    /// <exception cref="ModelFileException">The file holds another optimizer's state or state that does not fit the model.</exception>
    public static bool Restore(string modelPath, Optimizer optimizer, string name)
    {
        string path = PathFor(modelPath);
        if (!File.Exists(path)) return false;
        var content = Safetensors.Load(path);
        string file = Path.GetFileName(path);
        if (content.Metadata.GetValueOrDefault(NameKey) is { } saved && saved != name)
            throw new ModelFileException($"{file}: holds {saved} state, but {Path.GetFileName(modelPath)} was trained with {name}");
        try
        {
            optimizer.LoadStateDict(content.Tensors);
        }
        catch (Exception e) when (e is ArgumentException or ShapeMismatchException)
        {
            throw new ModelFileException($"{file}: the optimizer state does not fit the model: {e.Message}", e);
        }
        return true;
    }
}
