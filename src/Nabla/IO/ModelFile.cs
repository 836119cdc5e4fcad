using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>What a model file records besides the weights.</summary>
public sealed record ModelInfo
{
    /// <summary>The model SPEC the network was built from (output layer included).</summary>
    public required string Architecture { get; init; }

    /// <summary>Input shape with a batch axis of 1, e.g. [1, 784].</summary>
    public required int[] InputShape { get; init; }

    /// <summary>multiclass, binary, multilabel or regression.</summary>
    public required string Task { get; init; }

    /// <summary>Class or label names in output order (empty for regression).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>
    /// The data columns the labels were read from (CSV header names, or 0-based indices of a file
    /// without header), so evaluation and prediction find them again; empty for other data.
    /// </summary>
    public IReadOnlyList<string> LabelColumns { get; init; } = [];

    /// <summary>The separator joining several labels in one column (multi-label CSV), or null.</summary>
    public string? LabelSeparator { get; init; }

    /// <summary>
    /// For models of text: the vectorizer (settings and vocabulary, fitted on the training rows) that
    /// turns raw texts into the token ids the network reads; null for other inputs.
    /// </summary>
    public TextVectorization? Vectorizer { get; init; }

    /// <summary>For models of text: the data column the texts were read from, so prediction finds it again; else null.</summary>
    public string? TextColumn { get; init; }

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

    /// <summary>Free-form extra entries (e.g. the training settings of the <c>nabla</c> tool: data set, optimizer, seed).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>The Nabla version that wrote the file.</summary>
    public string NablaVersion { get; init; } = ModelFile.Version;
}

/// <summary>
/// One safetensors file per model: tensors named as PyTorch's <c>state_dict()</c> would name them
/// (<c>0.weight</c> [out, in], <c>0.bias</c>, BatchNorm running statistics, …) and the
/// architecture, input standardization or text vectorizer (<c>nabla.text_vectorization</c>, one line
/// of JSON), classes, label and text columns, label separator, thresholds, history and version in
/// <c>__metadata__</c>. Loading rebuilds the network from the architecture and checks every
/// tensor's name and shape against it.
/// </summary>
public static class ModelFile
{
    /// <summary>The library version written into files.</summary>
    public static string Version { get; } = typeof(ModelFile).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private const string Prefix = "nabla.";
    private const string LegacyLabelColumns = "label_columns";
    private static readonly string[] Tasks = ["multiclass", "binary", "multilabel", "regression"];

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
            [Prefix + "label_columns"] = JsonSerializer.Serialize(info.LabelColumns),
            [Prefix + "thresholds"] = JsonSerializer.Serialize(info.Thresholds),
            [Prefix + "input_mean"] = JsonSerializer.Serialize(info.InputMean),
            [Prefix + "input_std"] = JsonSerializer.Serialize(info.InputStd),
            [Prefix + "input_scale"] = info.InputScale.ToString("R", CultureInfo.InvariantCulture),
            [Prefix + "target_mean"] = JsonSerializer.Serialize(info.TargetMean),
            [Prefix + "target_std"] = JsonSerializer.Serialize(info.TargetStd),
        };
        if (info.LabelSeparator is not null) meta[Prefix + "label_separator"] = info.LabelSeparator;
        if (info.Vectorizer is not null) meta[Prefix + "text_vectorization"] = info.Vectorizer.ToJson();
        if (info.TextColumn is not null) meta[Prefix + "text_column"] = info.TextColumn;
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
            var extra = meta.Where(kv => kv.Key.StartsWith(Prefix + "extra.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[(Prefix.Length + 6)..], kv => kv.Value);
            // Files written before label_columns had its own entry kept it among the extras.
            string? labelColumns = meta.GetValueOrDefault(Prefix + "label_columns");
            if (labelColumns is null && extra.Remove(LegacyLabelColumns, out var legacy)) labelColumns = legacy;
            info = new ModelInfo
            {
                Architecture = Get("architecture"),
                InputShape = JsonSerializer.Deserialize<int[]>(Get("input_shape")) ?? [],
                Task = Get("task"),
                Classes = JsonSerializer.Deserialize<string[]>(Get("classes")) ?? [],
                LabelColumns = labelColumns is null ? [] : JsonSerializer.Deserialize<string[]>(labelColumns) ?? [],
                LabelSeparator = meta.GetValueOrDefault(Prefix + "label_separator"),
                Thresholds = JsonSerializer.Deserialize<float[]>(Get("thresholds")) ?? [],
                InputMean = JsonSerializer.Deserialize<float[]>(Get("input_mean")) ?? [],
                InputStd = JsonSerializer.Deserialize<float[]>(Get("input_std")) ?? [],
                InputScale = float.Parse(Get("input_scale"), CultureInfo.InvariantCulture),
                TargetMean = JsonSerializer.Deserialize<float[]>(Get("target_mean")) ?? [],
                TargetStd = JsonSerializer.Deserialize<float[]>(Get("target_std")) ?? [],
                HistoryJson = meta.GetValueOrDefault(Prefix + "history"),
                Vectorizer = meta.TryGetValue(Prefix + "text_vectorization", out var vectorizer) ? Vectorizer(name, vectorizer) : null,
                TextColumn = meta.GetValueOrDefault(Prefix + "text_column"),
                NablaVersion = Get("version"),
                Extra = extra,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ModelFileException($"{name}: corrupted metadata: {e.Message}", e);
        }

        CheckMetadata(name, info);
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
        CheckOutputs(name, info, model);
        CheckVocabulary(name, info, model);
        return (model, info);
    }

    private static TextVectorization Vectorizer(string name, string json)
    {
        try
        {
            return TextVectorization.FromJson(json);
        }
        catch (DataFormatException e)
        {
            throw new ModelFileException($"{name}: the stored text vectorization is damaged: {e.Message}", e);
        }
    }

    // Token ids index the first embedding table: the vectorizer and the table must agree on the vocabulary.
    private static void CheckVocabulary(string name, ModelInfo info, Sequential model)
    {
        if (info.Vectorizer is null) return;
        int vocabulary = info.Vectorizer.Vocabulary.Count;
        if (model.FirstOrDefault() is not Embedding embedding)
            throw new ModelFileException($"{name}: the model reads text (it stores a text vectorization) but its first layer is not an embedding: {info.Architecture}");
        if (embedding.NumEmbeddings != vocabulary)
            throw new ModelFileException($"{name}: the embedding has {embedding.NumEmbeddings} rows, the stored vocabulary {vocabulary} tokens");
    }

    // Metadata a reader indexes into must be consistent, so a damaged file is a clear error rather than a crash later.
    private static void CheckMetadata(string name, ModelInfo info)
    {
        if (!Tasks.Contains(info.Task, StringComparer.Ordinal))
            throw new ModelFileException($"{name}: unknown task '{info.Task}' in the metadata (known: {string.Join(", ", Tasks)})");
        if (info.InputShape.Length < 2 || info.InputShape[0] != 1 || info.InputShape.Any(d => d < 1))
            throw new ModelFileException($"{name}: input_shape [{string.Join(", ", info.InputShape)}] is not a batch-of-1 shape like [1, 784]");
        int features = info.InputShape[^1];
        if (info.InputMean.Count != info.InputStd.Count || (info.InputMean.Count != 0 && info.InputMean.Count != features))
            throw new ModelFileException($"{name}: input_mean and input_std have {info.InputMean.Count} and {info.InputStd.Count} entries, the input has {features} features");
        if (info.InputStd.Any(s => !(s > 0) || !float.IsFinite(s)) || info.InputMean.Any(m => !float.IsFinite(m)))
            throw new ModelFileException($"{name}: input_mean/input_std hold a non-finite value or a standard deviation ≤ 0");
        if (info.TargetMean.Count != info.TargetStd.Count)
            throw new ModelFileException($"{name}: target_mean and target_std have {info.TargetMean.Count} and {info.TargetStd.Count} entries");
        if (!(info.InputScale > 0) || !float.IsFinite(info.InputScale))
            throw new ModelFileException($"{name}: input_scale {info.InputScale} is not a positive number");
    }

    private static void CheckOutputs(string name, ModelInfo info, Sequential model)
    {
        int outputs = ModelBuilder.OutputShape(model, new Shape(info.InputShape))[-1];
        int expected = info.Task switch
        {
            "binary" => 1,
            "regression" => info.TargetMean.Count,
            _ => info.Classes.Count,
        };
        if (expected == 0 && info.Task != "binary") expected = outputs; // no names or statistics recorded: nothing to contradict
        if (outputs != expected)
            throw new ModelFileException($"{name}: the network has {outputs} outputs, its {info.Task} metadata describes {expected}");
        int thresholds = info.Task == "multilabel" ? outputs : 1;
        if (info.Thresholds.Count != 0 && info.Thresholds.Count != thresholds)
            throw new ModelFileException($"{name}: {info.Thresholds.Count} thresholds for {thresholds} {info.Task} output(s)");
    }
}
