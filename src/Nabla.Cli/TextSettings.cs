using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.IO;

namespace Nabla.Cli;

/// <summary>
/// How <c>nabla train</c> reads text data: the text column, the vectorizer's settings and the
/// pre-trained vectors, with the defaults chosen for short texts (measured in docs/benchmarks.md).
/// Everything here decides the vocabulary or the embedding table, so a resumed model keeps the
/// values it was made with (the vectorizer itself is stored in the model file); only
/// <c>--freeze-embeddings</c> may change on resume (train frozen, then fine-tune).
/// </summary>
internal sealed record TextSettings
{
    /// <summary>The hidden layers used for text data when no <c>--model</c> is given (the lecture's model).</summary>
    public const string DefaultModel = "embedding(64) gap1d dense(32,relu)";

    public const int DefaultMaxTokens = 50_000;
    public const int DefaultMinCount = 1;
    public const int DefaultNGrams = 2;
    public const int MaxNGrams = 5;

    // Training defaults for text data (the options' own defaults suit small tabular sets).
    public const int DefaultEpochs = 20;
    public const int DefaultBatchSize = 32;
    public const float DefaultLearningRate = 3e-2f;
    public const float DefaultDropout = 0f;
    public const float RecurrentLearningRate = 3e-3f;
    public const float TransformerLearningRate = 5e-4f;

    /// <summary>Lazy Adam: a step reads and writes only the embedding rows of the batch's tokens (dense layers as Adam).</summary>
    public const string DefaultOptimizer = "sparseadam";

    // Single-label text (one class per row) with a pooled model: Adagrad at 0.1 decayed linearly over 5 epochs
    // from a small embedding table beats the multi-label recipe above by 12 points on the Debian sections
    // (0.635 → 0.756; docs/benchmarks.md "Why the seed model sits under the TF-IDF baseline"). On the small
    // multi-label appstream set the same recipe loses (0.602 → 0.472), so multi-label keeps the one above.
    public const string ClassOptimizer = "adagrad";
    public const float ClassLearningRate = 0.1f;
    public const int ClassEpochs = 5;
    public const string ClassSchedule = "linear";

    /// <summary>
    /// The spread of the embedding's initial vectors for single-label text, N(0, 0.01²) instead of PyTorch's
    /// N(0, 1): a word seen once in training then adds little noise to a test row (0.01 and 0.1 measured alike).
    /// </summary>
    public const float DefaultEmbeddingStd = 0.01f;

    /// <summary>The spread of the embedding's initial vectors the CLI writes into the SPEC as <c>std=</c>, or null for N(0, 1).</summary>
    public float? EmbeddingStd { get; init; }

    /// <summary>The column holding the texts (<c>--text</c>), or null when not given (the data loader then names the columns).</summary>
    public string? Column { get; init; }

    public int? MaxTokens { get; init; } = DefaultMaxTokens;
    public int MinCount { get; init; } = DefaultMinCount;
    public int? SequenceLength { get; init; }
    public bool StopWords { get; init; }
    public int NGrams { get; init; } = DefaultNGrams;

    /// <summary>Word vectors the embedding starts from (<c>--embeddings</c>), or null.</summary>
    public string? Embeddings { get; init; }

    public bool FreezeEmbeddings { get; init; }

    /// <summary>A vectorizer with these settings, not adapted yet.</summary>
    public TextVectorization NewVectorizer() => new(MaxTokens, MinCount, StopWords, NGrams, SequenceLength);

    /// <summary>The settings of a new run on <paramref name="data"/>: null unless it is text data.</summary>
    public static TextSettings? FromOptions(ParseResult r, TextOptions o, string data)
    {
        o.CheckApplies(r, data);
        if (!TextOptions.IsText(data)) return null;
        return new TextSettings
        {
            Column = r.GetValue(o.Text), MaxTokens = r.GetValue(o.MaxTokens) ?? DefaultMaxTokens, MinCount = r.GetValue(o.MinCount) ?? DefaultMinCount,
            SequenceLength = r.GetValue(o.SequenceLength), StopWords = TextOptions.ParseStopWords(r.GetValue(o.StopWords)),
            NGrams = r.GetValue(o.NGrams) ?? DefaultNGrams, Embeddings = r.GetValue(o.Embeddings), FreezeEmbeddings = r.GetValue(o.FreezeEmbeddings),
        };
    }

    /// <summary>
    /// The text settings of the model in <paramref name="file"/> (null when it does not read text):
    /// the stored vectorizer's settings; options deciding the vocabulary must be left out or equal them.
    /// </summary>
    /// <exception cref="UsageException">An option contradicts the model, or applies to text and the model reads none.</exception>
    public static TextSettings? Resume(ParseResult r, TextOptions o, string file, ModelInfo info, IReadOnlyDictionary<string, string> extra)
    {
        if (info.Vectorizer is not { } v)
        {
            foreach (var option in o.All)
                NablaCommand.Require(!TrainingSettings.IsGiven(r, option), $"{option.Name} applies to models of text, and {file} reads no text");
            return null;
        }
        var stored = new TextSettings
        {
            Column = info.TextColumn, MaxTokens = v.MaxTokens, MinCount = v.MinCount, SequenceLength = v.OutputSequenceLength,
            StopWords = v.Tokenizer.RemoveStopWords, NGrams = v.Tokenizer.NGrams, Embeddings = extra.GetValueOrDefault("embeddings"),
            FreezeEmbeddings = extra.GetValueOrDefault("freeze_embeddings") == "true",
        };
        var given = FromOptions(r, o, "text:") ?? stored;
        void Keep(Option option, string? now, string? kept)
        {
            if (TrainingSettings.IsGiven(r, option) && now != kept)
                throw new UsageException($"{option.Name} {now} contradicts {file}, whose vocabulary and embedding were made with {option.Name} {kept ?? "(none)"}; a resumed model keeps them (leave {option.Name} out, or train a new model)");
        }
        Keep(o.Text, given.Column, stored.Column);
        Keep(o.MaxTokens, Text(given.MaxTokens), Text(stored.MaxTokens));
        Keep(o.MinCount, Text(given.MinCount), Text(stored.MinCount));
        Keep(o.SequenceLength, Text(given.SequenceLength), Text(stored.SequenceLength));
        Keep(o.StopWords, given.StopWords ? "english" : "none", stored.StopWords ? "english" : "none");
        Keep(o.NGrams, Text(given.NGrams), Text(stored.NGrams));
        Keep(o.Embeddings, given.Embeddings, stored.Embeddings);
        return stored with { FreezeEmbeddings = TrainingSettings.IsGiven(r, o.FreezeEmbeddings) ? given.FreezeEmbeddings : stored.FreezeEmbeddings };
    }

    /// <summary>
    /// <paramref name="s"/> with the text defaults for the training options the user left out: model, epochs,
    /// batch size, learning rate, schedule, dropout, optimizer and the embedding's initial spread (see
    /// <see cref="DefaultModel"/>, <see cref="Recipe"/> and the constants).
    /// </summary>
    public static TrainingSettings WithDefaults(ParseResult r, TrainOptions o, TrainingSettings s)
    {
        if (s.TextData is null) return s;
        bool Given(Option option) => TrainingSettings.IsGiven(r, option);
        string model = Given(o.Model) ? s.Model : DefaultModel;
        bool singleLabel = IsSingleLabel(s);
        var (rate, optimizer, schedule, epochs) = Recipe(model, singleLabel);
        var scheduled = Given(o.LearningRate) ? s.Schedule : s.Schedule with { BaseLearningRate = rate };
        if (!Given(o.Schedule.Kind)) scheduled = scheduled with { Kind = schedule };
        return s with
        {
            Model = model,
            Epochs = Given(o.Epochs) ? s.Epochs : epochs,
            BatchSize = Given(o.BatchSize) ? s.BatchSize : DefaultBatchSize,
            LearningRate = Given(o.LearningRate) ? s.LearningRate : rate,
            Schedule = scheduled,
            Dropout = Given(o.Dropout) ? s.Dropout : DefaultDropout,
            Optimizer = Given(o.Optimizer) ? s.Optimizer : optimizer,
            TextData = s.TextData with { EmbeddingStd = singleLabel ? DefaultEmbeddingStd : null },
        };
    }

    /// <summary>
    /// The default learning rate, optimizer, schedule and epochs for a text model. Multi-label: <see cref="DefaultLearningRate"/>
    /// with <see cref="DefaultOptimizer"/>, constant, <see cref="DefaultEpochs"/> epochs; single-label pooled models:
    /// <see cref="ClassOptimizer"/> at <see cref="ClassLearningRate"/>, linear decay, <see cref="ClassEpochs"/> epochs.
    /// A recurrent layer trains best with Adam at 3e-3 and a Transformer encoder with Adam at 5e-4 (at 0.03 it does
    /// not train at all; measured on the Debian sections, docs/benchmarks.md "Sequence models in the CLI"). A SPEC
    /// that does not parse keeps the pooled defaults; building the model reports its error.
    /// </summary>
    public static (float LearningRate, string Optimizer, string Schedule, int Epochs) Recipe(string model, bool singleLabel)
    {
        var pooled = singleLabel ? (ClassLearningRate, ClassOptimizer, ClassSchedule, ClassEpochs) : (DefaultLearningRate, DefaultOptimizer, "none", DefaultEpochs);
        IReadOnlyList<LayerSpec> layers;
        try
        {
            layers = ModelSpec.Parse(model);
        }
        catch (ModelSpecException)
        {
            return pooled;
        }
        // Single-label sequence models overfit after 2-3 epochs at a constant rate; decaying it linearly over
        // 5 epochs keeps the gain of the first ones (BiLSTM: 0.725 → 0.75 on the Debian sections).
        var (schedule, epochs) = singleLabel ? (ClassSchedule, ClassEpochs) : ("none", DefaultEpochs);
        if (layers.Any(l => l.Name == "transformer")) return (TransformerLearningRate, "adam", schedule, epochs);
        if (layers.Any(l => l.Name is "rnn" or "lstm" or "gru" or "birnn" or "bilstm" or "bigru")) return (RecurrentLearningRate, "adam", schedule, epochs);
        return pooled;
    }

    /// <summary>
    /// True when each row has one label: not multi-label by <c>--task</c>, <c>--label-separator</c> or several
    /// <c>--label</c> columns (nor a regression forced with <c>--task</c>).
    /// </summary>
    public static bool IsSingleLabel(TrainingSettings s) =>
        (s.Task is null or TaskKind.MultiClass or TaskKind.Binary) && s.LabelSeparator is null && !(s.Label ?? "").Contains(',', StringComparison.Ordinal);

    /// <summary>The extras a model file keeps for these settings (the vectorizer itself is stored on its own).</summary>
    public void AddTo(Dictionary<string, string> extra)
    {
        if (Column is not null) extra["text"] = Column;
        if (MaxTokens is int max) extra["max_tokens"] = Text(max)!;
        extra["min_count"] = Text(MinCount)!;
        if (SequenceLength is int length) extra["sequence_length"] = Text(length)!;
        extra["stopwords"] = StopWords ? "english" : "none";
        extra["ngrams"] = Text(NGrams)!;
        if (Embeddings is not null) extra["embeddings"] = Embeddings;
        extra["freeze_embeddings"] = FreezeEmbeddings ? "true" : "false";
    }

    private static string? Text(int? v) => v?.ToString(CultureInfo.InvariantCulture);
}
