using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Data.Text;

namespace Nabla.IO;

/// <summary>
/// A model file's <c>__metadata__</c> entries (<c>nabla.architecture</c>, <c>nabla.classes</c>, …)
/// written from and read into a <see cref="ModelInfo"/>. Reading checks every entry, since every
/// later step trusts them: standardization divides by <c>input_std</c>, prediction names outputs by
/// <c>classes</c>, thresholds decide labels. Each problem is one error naming the file and the entry.
/// </summary>
internal static class ModelMetadata
{
    internal const string Prefix = "nabla.";
    private const string ExtraPrefix = Prefix + "extra.";
    private const string LegacyLabelColumns = "label_columns";

    /// <summary>The task names a file may hold.</summary>
    public static readonly string[] Tasks = ["multiclass", "binary", "multilabel", "regression", Seq2SeqTask];

    /// <summary>The task of a sequence-to-sequence model (<see cref="ModelFile.LoadSeq2Seq"/>).</summary>
    public const string Seq2SeqTask = "seq2seq";

    /// <summary>The most input values per sample a model file may declare (2²⁶; a 3×4096×4096 image has 2²⁵·1.5).</summary>
    public const int MaxInputValues = 1 << 26;

    /// <summary>The entries for <paramref name="info"/>.</summary>
    public static Dictionary<string, string> Write(ModelInfo info)
    {
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
        if (info.SourceVocabulary is not null) meta[Prefix + "source_vocabulary"] = info.SourceVocabulary.ToJson();
        if (info.TargetVocabulary is not null) meta[Prefix + "target_vocabulary"] = info.TargetVocabulary.ToJson();
        if (info.HistoryJson is not null) meta[Prefix + "history"] = info.HistoryJson;
        if (info.CheckpointId is not null) meta[Prefix + "checkpoint"] = info.CheckpointId;
        if (info.OptimizerStateFile is not null) meta[Prefix + "optimizer_state"] = info.OptimizerStateFile;
        foreach (var (k, v) in info.Extra) meta[ExtraPrefix + k] = v;
        return meta;
    }

    /// <summary>Reads and checks the entries of the file <paramref name="name"/>.</summary>
    /// <exception cref="ModelFileException">A missing, malformed or inconsistent entry; names it.</exception>
    public static ModelInfo Read(string name, IReadOnlyDictionary<string, string> meta)
    {
        string Get(string key) => meta.TryGetValue(Prefix + key, out var v)
            ? v : throw new ModelFileException($"{name}: not a Nabla model file (no '{Prefix + key}' in __metadata__)");
        T Json<T>(string key, string text, string what)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(text) ?? throw new JsonException("null");
            }
            catch (JsonException)
            {
                throw new ModelFileException($"{name}: metadata {Prefix + key} is not {what}: {Printable.Quote(text)}");
            }
        }
        string[] Names(string key, string text) => Json<string[]>(key, text, "a JSON list of names");
        float[] Numbers(string key) => Json<float[]>(key, Get(key), "a JSON list of numbers");

        var extra = meta.Where(kv => kv.Key.StartsWith(ExtraPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[ExtraPrefix.Length..], kv => kv.Value);
        // Files written before label_columns had its own entry kept it among the extras.
        string? labelColumns = meta.GetValueOrDefault(Prefix + "label_columns");
        if (labelColumns is null && extra.Remove(LegacyLabelColumns, out var legacy)) labelColumns = legacy;
        string scale = Get("input_scale");
        if (!float.TryParse(scale, NumberStyles.Float, CultureInfo.InvariantCulture, out float inputScale))
            throw new ModelFileException($"{name}: metadata {Prefix}input_scale is not a number: {Printable.Quote(scale)}");
        var info = new ModelInfo
        {
            Architecture = Get("architecture"),
            InputShape = Json<int[]>("input_shape", Get("input_shape"), "a JSON list of sizes"),
            Task = Get("task"),
            Classes = Names("classes", Get("classes")),
            LabelColumns = labelColumns is null ? [] : Names("label_columns", labelColumns),
            LabelSeparator = meta.GetValueOrDefault(Prefix + "label_separator"),
            Thresholds = Numbers("thresholds"),
            InputMean = Numbers("input_mean"),
            InputStd = Numbers("input_std"),
            InputScale = inputScale,
            TargetMean = Numbers("target_mean"),
            TargetStd = Numbers("target_std"),
            HistoryJson = meta.GetValueOrDefault(Prefix + "history"),
            Vectorizer = meta.TryGetValue(Prefix + "text_vectorization", out var vectorizer) ? Vectorizer(name, vectorizer) : null,
            TextColumn = meta.GetValueOrDefault(Prefix + "text_column"),
            SourceVocabulary = meta.TryGetValue(Prefix + "source_vocabulary", out var sv) ? Tokens(name, "source_vocabulary", sv) : null,
            TargetVocabulary = meta.TryGetValue(Prefix + "target_vocabulary", out var tv) ? Tokens(name, "target_vocabulary", tv) : null,
            NablaVersion = Get("version"),
            CheckpointId = meta.GetValueOrDefault(Prefix + "checkpoint"),
            OptimizerStateFile = meta.GetValueOrDefault(Prefix + "optimizer_state"),
            Extra = extra,
        };
        Check(name, info);
        return info;
    }

    private static TextVectorization Vectorizer(string name, string json)
    {
        try
        {
            return TextVectorization.FromJson(json);
        }
        catch (DataFormatException e)
        {
            throw new ModelFileException($"{name}: the stored text vectorization ({Prefix}text_vectorization) is damaged: {e.Message}", e);
        }
    }

    private static SequenceVocabulary Tokens(string name, string key, string json)
    {
        try
        {
            return SequenceVocabulary.FromJson(json);
        }
        catch (DataFormatException e)
        {
            throw new ModelFileException($"{name}: the stored {Prefix}{key} is damaged: {e.Message}", e);
        }
    }

    // Every entry a reader relies on, checked so a damaged file is a clear error rather than NaN predictions or a crash later.
    private static void Check(string name, ModelInfo info)
    {
        void Require(bool ok, string message)
        {
            if (!ok) throw new ModelFileException($"{name}: {message}");
        }
        Require(Tasks.Contains(info.Task, StringComparer.Ordinal), $"unknown task {Printable.Quote(info.Task)} in the metadata (known: {string.Join(", ", Tasks)})");
        Require(info.InputShape.Length is >= 2 and <= Tensors.Shape.MaxRank && info.InputShape[0] == 1 && info.InputShape.All(d => d >= 1),
            $"input_shape [{string.Join(", ", info.InputShape)}] is not a batch-of-1 shape like [1, 784]");
        long features = info.InputShape.Skip(1).Aggregate(1L, (a, d) => Math.Min(a * d, 1L << 40));
        Require(features <= MaxInputValues, string.Create(CultureInfo.InvariantCulture,
            $"input_shape [{string.Join(", ", info.InputShape)}] declares {features:N0} values per sample, more than the {MaxInputValues:N0} Nabla accepts"));
        Require(info.InputMean.Count == info.InputStd.Count && (info.InputMean.Count == 0 || info.InputMean.Count == features),
            $"input_mean and input_std have {info.InputMean.Count} and {info.InputStd.Count} entries, the input has {features} features");
        Statistics("input", info.InputMean, info.InputStd, Require);
        Require(info.TargetMean.Count == info.TargetStd.Count, $"target_mean and target_std have {info.TargetMean.Count} and {info.TargetStd.Count} entries");
        Statistics("target", info.TargetMean, info.TargetStd, Require);
        Require(info.Task == "regression" || info.TargetMean.Count == 0, $"a {info.Task} model has target statistics (target_mean), which only regression uses");
        Require(float.IsFinite(info.InputScale) && info.InputScale > 0, $"input_scale {info.InputScale.ToString(CultureInfo.InvariantCulture)} is not a positive number");
        Require(info.Thresholds.All(t => float.IsFinite(t) && t >= 0 && t <= 1), $"thresholds [{string.Join(", ", info.Thresholds.Select(t => t.ToString(CultureInfo.InvariantCulture)))}] are not probabilities in [0, 1]");
        CheckNames("classes", info.Classes, Require);
        CheckNames("label_columns", info.LabelColumns, Require);
        if (info.LabelSeparator is { } sep)
            Require(sep.Length > 0 && Printable.Escape(sep) == sep, $"label_separator {Printable.Quote(sep)} is empty or holds control characters");
        if (info.TextColumn is { } column)
            Require(column.Length > 0 && Printable.Escape(column) == column, $"text_column {Printable.Quote(column)} is empty or holds control characters");
        Require((info.Vectorizer is null) == (info.TextColumn is null), "text_vectorization and text_column must be given together");
        bool seq2seq = info.Task == Seq2SeqTask;
        Require(seq2seq == (info.SourceVocabulary is not null) && seq2seq == (info.TargetVocabulary is not null),
            "source_vocabulary and target_vocabulary are given together, for task seq2seq only");
        if (info.HistoryJson is { } history) CheckHistory(name, history);
        Require((info.CheckpointId is null) == (info.OptimizerStateFile is null), "checkpoint and optimizer_state must be given together");
        if (info.CheckpointId is { } id)
            Require(id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit), $"checkpoint id {Printable.Quote(id)} is not a short run of letters and digits");
        if (info.OptimizerStateFile is { } state)
            Require(state.Length > 0 && Path.GetFileName(state) == state && state is not ("." or "..") && Printable.Escape(state) == state,
                $"optimizer_state {Printable.Quote(state)} is not a file name (it names a file beside the model file)");
    }

    private static void Statistics(string what, IReadOnlyList<float> mean, IReadOnlyList<float> std, Action<bool, string> require)
    {
        for (int i = 0; i < mean.Count; i++)
        {
            require(float.IsFinite(mean[i]), string.Create(CultureInfo.InvariantCulture, $"{what}_mean[{i}] is {mean[i]}, not a finite number"));
            require(float.IsFinite(std[i]) && std[i] > 0, string.Create(CultureInfo.InvariantCulture, $"{what}_std[{i}] is {std[i]}: a standard deviation ≤ 0 or not a number"));
        }
    }

    // Names shown in tables and written to CSV: non-empty, distinct, free of control characters.
    private static void CheckNames(string key, IReadOnlyList<string> names, Action<bool, string> require)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            require(n.Length > 0, $"{key} holds an empty name");
            require(Printable.Escape(n) == n, $"{key} holds {Printable.Quote(n)}, a name with control characters");
            require(seen.Add(n), $"{key} names {Printable.Quote(n)} twice");
        }
    }

    // The history is a JSON list of epoch records {"epoch": 1, "loss": 0.5, …} with numbers or null.
    private static void CheckHistory(string name, string history)
    {
        try
        {
            using var doc = JsonDocument.Parse(history);
            bool ok = doc.RootElement.ValueKind == JsonValueKind.Array && doc.RootElement.EnumerateArray().All(r =>
                r.ValueKind == JsonValueKind.Object && r.EnumerateObject().All(p =>
                    p.Value.ValueKind == JsonValueKind.Null || (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out double d) && double.IsFinite(d))));
            if (ok) return;
        }
        catch (JsonException)
        {
        }
        throw new ModelFileException($"{name}: metadata {Prefix}history is not a JSON list of epoch records: {Printable.Quote(history)}");
    }
}
