using System.Globalization;
using System.Text.Json;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>What a model file records besides the weights.</summary>
public sealed class ModelInfo
{
    /// <summary>The model SPEC the network was built from (output layer included).</summary>
    public required string Architecture { get; init; }

    /// <summary>Input shape with a batch axis of 1, e.g. [1, 784].</summary>
    public required int[] InputShape { get; init; }

    /// <summary>multiclass, binary, multilabel or regression.</summary>
    public required string Task { get; init; }

    /// <summary>Class or label names in output order (empty for regression).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>Decision thresholds for binary/multi-label outputs (one, or one per label).</summary>
    public IReadOnlyList<float> Thresholds { get; init; } = [];

    /// <summary>Per-feature mean subtracted from inputs (empty when inputs are not standardized).</summary>
    public IReadOnlyList<float> InputMean { get; init; } = [];

    /// <summary>Per-feature standard deviation inputs are divided by.</summary>
    public IReadOnlyList<float> InputStd { get; init; } = [];

    /// <summary>Scale applied to raw inputs before standardization (1/255 for images, else 1).</summary>
    public float InputScale { get; init; } = 1f;

    /// <summary>Target mean and standard deviation for regression (outputs are de-standardized with them).</summary>
    public IReadOnlyList<float> TargetMean { get; init; } = [];

    /// <summary>Target standard deviation for regression.</summary>
    public IReadOnlyList<float> TargetStd { get; init; } = [];

    /// <summary>The training history as JSON (epoch records), or null.</summary>
    public string? HistoryJson { get; init; }

    /// <summary>Free-form extra entries (e.g. data set, optimizer, seed).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>The Nabla version that wrote the file.</summary>
    public string NablaVersion { get; init; } = ModelFile.Version;
}

/// <summary>
/// One safetensors file per model: tensors named as PyTorch's <c>state_dict()</c> would name them
/// (<c>0.weight</c> [out, in], <c>0.bias</c>, BatchNorm running statistics, …) and the
/// architecture, input standardization, classes, thresholds, history and version in
/// <c>__metadata__</c>. Loading rebuilds the network from the architecture and checks every
/// tensor's name and shape against it.
/// </summary>
public static class ModelFile
{
    /// <summary>The library version written into files.</summary>
    public static string Version { get; } = typeof(ModelFile).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private const string Prefix = "nabla.";

    /// <summary>Saves <paramref name="model"/> and <paramref name="info"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Module model, ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        var meta = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [Prefix + "version"] = info.NablaVersion,
            [Prefix + "architecture"] = info.Architecture,
            [Prefix + "input_shape"] = JsonSerializer.Serialize(info.InputShape),
            [Prefix + "task"] = info.Task,
            [Prefix + "classes"] = JsonSerializer.Serialize(info.Classes),
            [Prefix + "thresholds"] = JsonSerializer.Serialize(info.Thresholds),
            [Prefix + "input_mean"] = JsonSerializer.Serialize(info.InputMean),
            [Prefix + "input_std"] = JsonSerializer.Serialize(info.InputStd),
            [Prefix + "input_scale"] = info.InputScale.ToString("R", CultureInfo.InvariantCulture),
            [Prefix + "target_mean"] = JsonSerializer.Serialize(info.TargetMean),
            [Prefix + "target_std"] = JsonSerializer.Serialize(info.TargetStd),
        };
        if (info.HistoryJson is not null) meta[Prefix + "history"] = info.HistoryJson;
        foreach (var (k, v) in info.Extra) meta[Prefix + "extra." + k] = v;
        Safetensors.Save(path, model.StateDict(), meta);
    }

    /// <summary>
    /// Loads a model file: reads and validates the safetensors data, rebuilds the network from
    /// its architecture and copies the weights in (the model is returned in evaluation mode).
    /// </summary>
    /// <exception cref="ModelFileException">Unreadable file, missing metadata, or tensors that do not match the architecture.</exception>
    public static (Sequential Model, ModelInfo Info) Load(string path)
    {
        var content = Safetensors.Load(path);
        string name = Path.GetFileName(path);
        var meta = content.Metadata;
        string Get(string key) => meta.TryGetValue(Prefix + key, out var v)
            ? v : throw new ModelFileException($"{name}: not a Nabla model file (no '{Prefix + key}' in __metadata__)");
        ModelInfo info;
        try
        {
            info = new ModelInfo
            {
                Architecture = Get("architecture"),
                InputShape = JsonSerializer.Deserialize<int[]>(Get("input_shape")) ?? [],
                Task = Get("task"),
                Classes = JsonSerializer.Deserialize<string[]>(Get("classes")) ?? [],
                Thresholds = JsonSerializer.Deserialize<float[]>(Get("thresholds")) ?? [],
                InputMean = JsonSerializer.Deserialize<float[]>(Get("input_mean")) ?? [],
                InputStd = JsonSerializer.Deserialize<float[]>(Get("input_std")) ?? [],
                InputScale = float.Parse(Get("input_scale"), CultureInfo.InvariantCulture),
                TargetMean = JsonSerializer.Deserialize<float[]>(Get("target_mean")) ?? [],
                TargetStd = JsonSerializer.Deserialize<float[]>(Get("target_std")) ?? [],
                HistoryJson = meta.GetValueOrDefault(Prefix + "history"),
                NablaVersion = Get("version"),
                Extra = meta.Where(kv => kv.Key.StartsWith(Prefix + "extra.", StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key[(Prefix.Length + 6)..], kv => kv.Value),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ModelFileException($"{name}: corrupted metadata: {e.Message}", e);
        }

        Sequential model;
        try
        {
            model = ModelBuilder.Build(ModelSpec.Parse(info.Architecture), new Shape(info.InputShape), new Rng(0));
        }
        catch (ModelSpecException e)
        {
            throw new ModelFileException($"{name}: the stored architecture does not build: {e.Message}", e);
        }
        try
        {
            model.LoadStateDict(content.Tensors);
        }
        catch (Exception e) when (e is KeyNotFoundException or ShapeMismatchException)
        {
            throw new ModelFileException($"{name}: weights do not match the architecture '{info.Architecture}': {e.Message}", e);
        }
        model.Eval();
        return (model, info);
    }
}
