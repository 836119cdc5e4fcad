using System.Globalization;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// The optimizer-state file beside a model file (<see cref="Checkpoint"/>: <c>FILE.optim.ID.safetensors</c>,
/// or <c>FILE.optim.safetensors</c> from before checkpoint ids): the optimizer's state dict (moments or
/// momentum buffers named <c>{i}.exp_avg</c>, …, and <c>step</c>) and its name in <c>nabla.optimizer</c>.
/// Kept out of the model file so that stays a plain PyTorch-style weights file.
/// </summary>
internal static class OptimizerState
{
    private const string NameKey = "nabla.optimizer";

    /// <summary>The state file of the model file at <paramref name="modelPath"/> (read from its metadata).</summary>
    public static string PathFor(string modelPath) => Checkpoint.StatePath(modelPath, ModelFile.Load(modelPath).Info);

    /// <summary>Writes the model and <paramref name="optimizer"/>'s state as one consistent checkpoint (<see cref="Checkpoint.Save"/>).</summary>
    public static void Save(string modelPath, Module model, ModelInfo info, Optimizer optimizer, string name) =>
        Checkpoint.Save(modelPath, model, info, optimizer, new Dictionary<string, string> { [NameKey] = name });

    /// <summary>
    /// Loads the state saved with the model at <paramref name="modelPath"/> into <paramref name="optimizer"/>;
    /// false when there is no state file (the optimizer then starts afresh). The rates stay the ones
    /// the optimizer was built with (the run's settings: stored or overridden), where PyTorch's
    /// load_state_dict would bring back the saved ones. Files written before parameter groups
    /// existed number the parameters in model order; with --weight-decay the optimizer numbers them
    /// group by group (weights first), so such a file's keys are renumbered.
    /// </summary>
    /// <exception cref="ModelFileException">The file holds another optimizer's state, another checkpoint's, or state that does not fit the model.</exception>
    public static bool Restore(string modelPath, ModelInfo info, Optimizer optimizer, string name, Module model)
    {
        if (Checkpoint.LoadState(modelPath, info) is not var (path, content)) return false;
        string file = Path.GetFileName(path);
        if (content.Metadata.GetValueOrDefault(NameKey) is { } saved && saved != name)
            throw new ModelFileException($"{file}: holds {Printable.Quote(saved)} state, but {Path.GetFileName(modelPath)} was trained with {name}");
        if (content.Tensors.GetValueOrDefault("step") is { Numel: 1 } step && !(step.Item() >= 0 && step.Item() <= int.MaxValue && step.Item() == MathF.Floor(step.Item())))
            throw new ModelFileException($"{file}: the step count {step.Item().ToString(CultureInfo.InvariantCulture)} is not a whole number ≥ 0");
        var rates = optimizer.ParamGroups.Select(g => (g.LearningRate, g.WeightDecay)).ToArray();
        try
        {
            optimizer.LoadStateDict(InGroupOrder(content.Tensors, optimizer, model));
        }
        catch (Exception e) when (e is ArgumentException or ShapeMismatchException or KeyNotFoundException)
        {
            throw new ModelFileException($"{file}: the optimizer state does not fit the model: {Printable.MessageOf(e)}", e);
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
