using System.Globalization;
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

    /// <summary>For sequence-to-sequence models (task <c>seq2seq</c>): the tokens of the source texts, fitted on the training rows; else null.</summary>
    public SequenceVocabulary? SourceVocabulary { get; init; }

    /// <summary>For sequence-to-sequence models: the tokens of the target texts (what generation writes); else null.</summary>
    public SequenceVocabulary? TargetVocabulary { get; init; }

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

    /// <summary>
    /// The id shared by this model file and the optimizer-state file written with it
    /// (<see cref="Checkpoint"/>), or null for a model saved without optimizer state.
    /// </summary>
    public string? CheckpointId { get; init; }

    /// <summary>The name (in the model file's folder) of the optimizer-state file of <see cref="CheckpointId"/>, or null.</summary>
    public string? OptimizerStateFile { get; init; }
}

/// <summary>
/// One safetensors file per model: tensors named as PyTorch's <c>state_dict()</c> would name them
/// (<c>0.weight</c> [out, in], <c>0.bias</c>, BatchNorm running statistics, …) and the
/// architecture, input standardization or text vectorizer (<c>nabla.text_vectorization</c>, one line
/// of JSON), classes, label and text columns, label separator, thresholds, history and version in
/// <c>__metadata__</c>. Loading rebuilds the network from the architecture and checks every
/// tensor's name and shape against it.
/// </summary>
public static partial class ModelFile
{
    /// <summary>The library version written into files.</summary>
    public static string Version { get; } = typeof(ModelFile).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Saves <paramref name="model"/> and <paramref name="info"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Module model, ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        var state = model.StateDict();
        Safetensors.Save(path, state, ModelMetadata.Write(info), PyTorchStateDict.Int64Scalars(state.Keys));
    }

    /// <summary>
    /// Loads a model file: reads and validates the safetensors data, reads and checks every metadata
    /// entry, rebuilds the network from its architecture and copies the weights in (the model is
    /// returned in evaluation mode). Nothing a damaged file holds gets through: malformed JSON, lists of
    /// the wrong length, NaN or non-positive statistics, repeated or missing class names, thresholds
    /// outside [0, 1], and weights that are NaN or infinite are each an error naming the file and entry.
    /// </summary>
    /// <exception cref="ModelFileException">Unreadable file, missing or inconsistent metadata, or tensors that do not match the architecture.</exception>
    public static (Sequential Model, ModelInfo Info) Load(string path)
    {
        var content = Safetensors.Load(path);
        string name = Path.GetFileName(path);
        var meta = content.Metadata;
        if (!meta.Keys.Any(k => k.StartsWith(ModelMetadata.Prefix, StringComparison.Ordinal)))
            throw new StateDictWithoutMetadataException($"{name}: a plain state dict ({content.Tensors.Count} tensors, no Nabla metadata), not a Nabla model file; a model file is made from it with PyTorchImport and the architecture's SPEC");
        var info = ModelMetadata.Read(name, meta);
        if (info.Task == ModelMetadata.Seq2SeqTask)
            throw new ModelFileException($"{name}: a sequence-to-sequence model ({Printable.Quote(info.Architecture)}), not a Sequential: nabla generate runs it (ModelFile.LoadSeq2Seq loads it)");
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
            model.LoadStateDict(PyTorchStateDict.Adapt(content.Tensors, model));
        }
        catch (Exception e) when (e is KeyNotFoundException or ShapeMismatchException)
        {
            throw new ModelFileException($"{name}: weights do not match the architecture {Printable.Quote(info.Architecture)}: {Printable.MessageOf(e)}", e);
        }
        CheckFinite(name, content.Tensors);
        model.Eval();
        CheckOutputs(name, info, model);
        CheckVocabulary(name, info, model);
        return (model, info);
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

    /// <summary>Refuses NaN or infinite values: a model that diverged or a damaged file would predict NaN for every input.</summary>
    internal static void CheckFinite(string name, IReadOnlyDictionary<string, Tensor> tensors)
    {
        foreach (var (key, t) in tensors)
        {
            var values = t.AsReadOnlySpan();
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw new ModelFileException(string.Create(CultureInfo.InvariantCulture,
                        $"{name}: tensor {Printable.Quote(key)} holds {values[i]} at index {i}: the weights are not finite (a diverged run or a damaged file)"));
        }
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
