using System.Text.RegularExpressions;
using Nabla.Nn;
using Nabla.Optim;

namespace Nabla.IO;

/// <summary>
/// A model file and its optimizer state, written so the pair on disk always matches, even when the
/// process is killed at any instant. The optimizer state goes to its own safetensors file (the model
/// file stays a plain weights file that PyTorch's <c>load_file</c> and <c>load_state_dict(strict=True)</c>
/// read) named by a new checkpoint id, <c>FILE.optim.ID.safetensors</c>; the model file records that id
/// and name in its metadata (<c>nabla.checkpoint</c>, <c>nabla.optimizer_state</c>) and the state file
/// records the id too. The order of a save makes every moment consistent:
/// <list type="number">
/// <item>write the new state file (atomically) under its new name — the old pair is untouched;</item>
/// <item>replace the model file (atomically) with one naming the new state file — the switch;</item>
/// <item>delete the state files no model refers to any more (the old one, leftovers of killed saves).</item>
/// </list>
/// Files written before checkpoint ids existed keep their state in <c>FILE.optim.safetensors</c>,
/// which <see cref="LoadState"/> still reads.
/// </summary>
public static partial class Checkpoint
{
    /// <summary>The metadata key naming the checkpoint id in the optimizer-state file.</summary>
    public const string IdKey = "nabla.checkpoint";

    /// <summary>The state file that models saved before checkpoint ids used: <c>FILE.optim.safetensors</c>.</summary>
    public static string LegacyStatePath(string modelPath) => modelPath + ".optim.safetensors";

    /// <summary>
    /// Saves <paramref name="model"/> with <paramref name="info"/> to <paramref name="path"/> and
    /// <paramref name="optimizer"/>'s state dict beside it (metadata <paramref name="stateMetadata"/>
    /// added to the state file), in the order that keeps the pair consistent; returns the new id.
    /// </summary>
    public static string Save(string path, Module model, ModelInfo info, Optimizer optimizer, IReadOnlyDictionary<string, string>? stateMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(optimizer);
        string full = Path.GetFullPath(path);
        string id = Guid.NewGuid().ToString("N")[..16];
        string stateName = $"{Path.GetFileName(full)}.optim.{id}.safetensors";
        string statePath = Path.Combine(Path.GetDirectoryName(full) ?? ".", stateName);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (stateMetadata is not null) foreach (var (k, v) in stateMetadata) meta[k] = v;
        meta[IdKey] = id;
        Safetensors.Save(statePath, optimizer.StateDict(), meta);
        try
        {
            ModelFile.Save(full, model, info with { CheckpointId = id, OptimizerStateFile = stateName });
        }
        catch
        {
            try { File.Delete(statePath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        RemoveStaleStates(full, stateName);
        return id;
    }

    /// <summary>The path of the state file that belongs to the model at <paramref name="modelPath"/> described by <paramref name="info"/>.</summary>
    public static string StatePath(string modelPath, ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.OptimizerStateFile is { } name
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", name)
            : LegacyStatePath(modelPath);
    }

    /// <summary>
    /// The optimizer state saved with the model at <paramref name="modelPath"/> (whose metadata is
    /// <paramref name="info"/>), or null when there is none (a model saved without it, or a state
    /// file that was moved away).
    /// </summary>
    /// <exception cref="ModelFileException">The state file is damaged, or belongs to another checkpoint than the model file.</exception>
    public static (string Path, SafetensorsContent Content)? LoadState(string modelPath, ModelInfo info)
    {
        string path = StatePath(modelPath, info);
        if (!File.Exists(path)) return null;
        var content = Safetensors.Load(path);
        string saved = content.Metadata.GetValueOrDefault(IdKey) ?? "(none)";
        if (info.CheckpointId is { } id && saved != id)
            throw new ModelFileException($"{Path.GetFileName(path)}: belongs to checkpoint {Printable.Quote(saved)}, but {Path.GetFileName(modelPath)} is checkpoint {Printable.Quote(id)}: the two files are not a pair");
        ModelFile.CheckFinite(Path.GetFileName(path), content.Tensors);
        return (path, content);
    }

    /// <summary>
    /// Deletes the state files of <paramref name="modelPath"/> other than <paramref name="keep"/>:
    /// earlier checkpoints', those of saves killed before their model file was replaced, and the
    /// pre-checkpoint <c>FILE.optim.safetensors</c>.
    /// </summary>
    private static void RemoveStaleStates(string modelPath, string keep)
    {
        string dir = Path.GetDirectoryName(modelPath) ?? ".";
        string prefix = Path.GetFileName(modelPath) + ".optim.";
        foreach (var file in Directory.EnumerateFiles(dir, prefix + "*safetensors"))
        {
            string name = Path.GetFileName(file);
            bool ours = name == prefix + "safetensors" || StateSuffix().IsMatch(name[prefix.Length..]);
            if (!ours || name == keep) continue;
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        AtomicFile.RemoveLeftovers(dir, target => target.StartsWith(prefix, StringComparison.Ordinal) && StateSuffix().IsMatch(target[prefix.Length..]));
    }

    [GeneratedRegex("^[0-9a-f]{16}\\.safetensors$")]
    private static partial Regex StateSuffix();
}
