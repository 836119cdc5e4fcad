using System.Globalization;
using Nabla.IO;
using Nabla.Nn;
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
    /// false when there is no state file (the optimizer then starts afresh). The rates stay the ones
    /// the optimizer was built with (the run's settings: stored or overridden), where PyTorch's
    /// load_state_dict would bring back the saved ones. Files written before parameter groups
    /// existed number the parameters in model order; with --weight-decay the optimizer numbers them
    /// group by group (weights first), so such a file's keys are renumbered.
    /// </summary>
    /// <exception cref="ModelFileException">The file holds another optimizer's state or state that does not fit the model.</exception>
    public static bool Restore(string modelPath, Optimizer optimizer, string name, Module model)
    {
        string path = PathFor(modelPath);
        if (!File.Exists(path)) return false;
        var content = Safetensors.Load(path);
        string file = Path.GetFileName(path);
        if (content.Metadata.GetValueOrDefault(NameKey) is { } saved && saved != name)
            throw new ModelFileException($"{file}: holds {saved} state, but {Path.GetFileName(modelPath)} was trained with {name}");
        var rates = optimizer.ParamGroups.Select(g => (g.LearningRate, g.WeightDecay)).ToArray();
        try
        {
            optimizer.LoadStateDict(InGroupOrder(content.Tensors, optimizer, model));
        }
        catch (Exception e) when (e is ArgumentException or ShapeMismatchException)
        {
            throw new ModelFileException($"{file}: the optimizer state does not fit the model: {e.Message}", e);
        }
        for (int g = 0; g < rates.Length; g++) (optimizer.ParamGroups[g].LearningRate, optimizer.ParamGroups[g].WeightDecay) = rates[g];
        return true;
    }

    private static IReadOnlyDictionary<string, Tensor> InGroupOrder(IReadOnlyDictionary<string, Tensor> state, Optimizer optimizer, Module model)
    {
        if (state.Keys.Any(k => k.StartsWith("param_groups.", StringComparison.Ordinal))) return state;
        var modelOrder = model.Parameters().ToArray();
        var renumbered = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            string renamed = key;
            if (dot > 0 && int.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < modelOrder.Length)
                renamed = string.Create(CultureInfo.InvariantCulture, $"{IndexIn(optimizer.Parameters, modelOrder[i])}{key[dot..]}");
            renumbered[renamed] = value;
        }
        return renumbered;
    }

    private static int IndexIn(IReadOnlyList<Tensor> parameters, Tensor p)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (ReferenceEquals(parameters[i], p)) return i;
        throw new InvalidOperationException("a model parameter is missing from its optimizer");
    }
}
