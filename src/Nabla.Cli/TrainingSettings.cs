using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.IO;

namespace Nabla.Cli;

/// <summary>
/// Everything <c>nabla train</c> needs besides the model: what its options set. A saved model keeps
/// them among its extras (<c>nabla.extra.KEY</c>, keys named after the options), so
/// <c>--resume FILE</c> continues with the same settings. On resume each option either
/// <list type="bullet">
/// <item>may override the stored value: <c>--data</c>, <c>--limit</c>, <c>--epochs</c>, <c>--lr</c>,
/// <c>--momentum</c>, <c>--weight-decay</c>, <c>--l1</c>, <c>--l2</c>, <c>--batch-size</c>, <c>--patience</c>,
/// <c>--threads</c>; or</item>
/// <item>must equal it, because the stored model, optimizer state or data split depend on it:
/// <c>--model</c>, <c>--dropout</c>, <c>--task</c>, <c>--label</c>, <c>--label-separator</c>,
/// <c>--optimizer</c>, <c>--seed</c>, <c>--validation-split</c> (a different value is refused in one line).</item>
/// </list>
/// </summary>
internal sealed record TrainingSettings
{
    public required string Data { get; init; }
    public int? Limit { get; init; }

    /// <summary>CSV label column(s) as <c>--label</c> takes them (null: the last column).</summary>
    public string? Label { get; init; }

    public string? LabelSeparator { get; init; }

    /// <summary>The CSV field separator (<c>--delimiter</c>), or null to pick it from the file name.</summary>
    public char? Delimiter { get; init; }

    /// <summary>The task forced with <c>--task</c> (a resumed model's own task), or null to infer it.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>The hidden layers' SPEC (<c>--model</c>); the output layer is added for the task.</summary>
    public required string Model { get; init; }

    public float Dropout { get; init; }
    public required string Optimizer { get; init; }
    public float LearningRate { get; init; }
    public float Momentum { get; init; }
    public float WeightDecay { get; init; }
    public float L1 { get; init; }
    public float L2 { get; init; }
    public int BatchSize { get; init; }
    public float ValidationSplit { get; init; }
    public int Patience { get; init; }
    public ulong Seed { get; init; }
    public int? Threads { get; init; }

    /// <summary>Epochs to run now (on resume: more epochs, after those already done).</summary>
    public int Epochs { get; init; }

    /// <summary>The learning-rate schedule (<c>--lr-schedule</c> and its parameters).</summary>
    public ScheduleSettings Schedule { get; init; } = new();

    /// <summary>How text data is read and embedded (<c>text:</c> data only), else null.</summary>
    public TextSettings? TextData { get; init; }

    /// <summary>The settings of a new run: the options as given, defaults elsewhere.</summary>
    public static TrainingSettings FromOptions(ParseResult r, TrainOptions o) => TextSettings.WithDefaults(r, o, new()
    {
        Data = r.GetValue(o.Data)!, Limit = r.GetValue(o.Limit), Label = r.GetValue(o.Label), LabelSeparator = r.GetValue(o.LabelSeparator),
        Delimiter = r.GetValue(o.Delimiter) is { } d ? TrainOptions.ParseDelimiter(d) : null,
        Task = r.GetValue(o.Task) is { } t && !AutoencodeTask.Named(t) ? ParseTask(t) : null, Model = r.GetValue(o.Model) ?? ModelPlan.DefaultHidden,
        Dropout = r.GetValue(o.Dropout), Optimizer = r.GetValue(o.Optimizer)!.ToLowerInvariant(), LearningRate = r.GetValue(o.LearningRate),
        Momentum = r.GetValue(o.Momentum), WeightDecay = r.GetValue(o.WeightDecay), L1 = r.GetValue(o.L1), L2 = r.GetValue(o.L2),
        BatchSize = r.GetValue(o.BatchSize), ValidationSplit = r.GetValue(o.ValidationSplit), Patience = r.GetValue(o.Patience),
        Seed = r.GetValue(o.Seed), Threads = r.GetValue(o.Threads), Epochs = r.GetValue(o.Epochs),
        Schedule = ScheduleSettings.FromOptions(r, o.Schedule, r.GetValue(o.LearningRate)),
        TextData = TextSettings.FromOptions(r, o.Text, r.GetValue(o.Data)!),
    });

    /// <summary>
    /// The settings of a resumed run: stored values unless an option overrides them (see the class
    /// summary for which may); <paramref name="epochsDone"/> epochs are behind the model already.
    /// </summary>
    /// <exception cref="UsageException">An option contradicts the model file, or no epochs are left to run.</exception>
    /// <exception cref="ModelFileException">A stored setting is malformed.</exception>
    public static TrainingSettings Resume(ParseResult r, TrainOptions o, string file, ModelInfo info, int epochsDone)
    {
        var stored = new Stored(file, info.Extra);
        bool Given(Option option) => IsGiven(r, option);
        T Take<T>(Option<T> option, T? fromFile) where T : struct => Given(option) || fromFile is null ? r.GetValue(option) : fromFile.Value;
        void Keep(Option option, string? given, string? kept, string what) => KeepStored(r, option, given, kept, file, what);

        var (label, separator) = Labels(r, o.Label, o.LabelSeparator, file, info);
        if (Given(o.Task)) Keep(o.Task, ParseTask(r.GetValue(o.Task)!).ToName(), info.Task, "a model for the task");
        string optimizer = stored.Text("optimizer") ?? r.GetValue(o.Optimizer)!.ToLowerInvariant();
        Keep(o.Optimizer, r.GetValue(o.Optimizer)?.ToLowerInvariant(), optimizer, "trained with --optimizer");
        ulong seed = stored.Number("seed", ulong.Parse) ?? r.GetValue(o.Seed);
        Keep(o.Seed, r.GetValue(o.Seed).ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture), "whose data split and shuffling come from --seed");
        float split = stored.Number("validation_split", float.Parse) ?? r.GetValue(o.ValidationSplit);
        Keep(o.ValidationSplit, Text(r.GetValue(o.ValidationSplit)), Text(split), "whose validation rows come from --validation-split");

        string model = (Given(o.Model) ? r.GetValue(o.Model) : stored.Text("model")) ?? ModelPlan.DefaultHidden;
        float dropout = Take(o.Dropout, stored.Number("dropout", float.Parse));
        if (Given(o.Model) || Given(o.Dropout))
        {
            string wanted = ModelPlan.Complete(model, Outputs(info), dropout, info.Vectorizer?.Vocabulary.Count, info.Vectorizer is null ? null : TextSettings.DefaultEmbeddingStd);
            // Models of text saved before the CLI wrote std= into the SPEC keep PyTorch's N(0, 1) start.
            string older = ModelPlan.Complete(model, Outputs(info), dropout, info.Vectorizer?.Vocabulary.Count);
            if (wanted != info.Architecture && older != info.Architecture)
                throw new UsageException($"{(Given(o.Model) ? "--model" : "--dropout")} gives {wanted}, which contradicts {file}, whose architecture is {info.Architecture}; a resumed run keeps it (leave --model and --dropout out, or train a new model)");
        }

        int epochs = r.GetValue(o.Epochs);
        if (!Given(o.Epochs))
        {
            int planned = stored.Number("epochs", int.Parse) ?? epochsDone;
            epochs = planned - epochsDone;
            if (epochs < 1)
                throw new UsageException($"{file} has done all {planned} epochs it was trained for; give --epochs N to train N more");
        }

        return new TrainingSettings
        {
            Data = (Given(o.Data) ? null : stored.Text("data")) ?? r.GetValue(o.Data)!, Limit = Given(o.Limit) ? r.GetValue(o.Limit) : stored.Number("limit", int.Parse),
            Label = label, LabelSeparator = separator,
            Delimiter = Given(o.Delimiter) ? TrainOptions.ParseDelimiter(r.GetValue(o.Delimiter)!) : StoredDelimiter(stored),
            Task = TaskKinds.Parse(info.Task), Model = model, Dropout = dropout, Optimizer = optimizer,
            LearningRate = Take(o.LearningRate, stored.Number("lr", float.Parse)), Momentum = Take(o.Momentum, stored.Number("momentum", float.Parse)),
            WeightDecay = Take(o.WeightDecay, stored.Number("weight_decay", float.Parse)),
            L1 = Take(o.L1, stored.Number("l1", float.Parse)), L2 = Take(o.L2, stored.Number("l2", float.Parse)),
            BatchSize = Take(o.BatchSize, stored.Number("batch_size", int.Parse)), ValidationSplit = split,
            Patience = Take(o.Patience, stored.Number("patience", int.Parse)), Seed = seed,
            Threads = Given(o.Threads) ? r.GetValue(o.Threads) : stored.Number("threads", int.Parse), Epochs = epochs,
            Schedule = ScheduleSettings.Resume(r, o.Schedule, stored, Given(o.LearningRate) ? r.GetValue(o.LearningRate) : null),
            TextData = TextSettings.Resume(r, o.Text, file, info, info.Extra),
        };
    }

    /// <summary>
    /// The CSV label column(s) and separator to read data for the saved model <paramref name="info"/>
    /// with: the stored ones (options naming others are refused); for files that did not store them,
    /// the options' values.
    /// </summary>
    /// <exception cref="UsageException">An option names other label columns or another separator.</exception>
    public static (string? Label, string? Separator) Labels(ParseResult r, Option<string?> label, Option<string?> separator, string file, ModelInfo info)
    {
        string stored = string.Join(",", info.LabelColumns);
        if (IsGiven(r, label) && info.LabelColumns.Count > 0)
            KeepStored(r, label, string.Join(",", r.GetValue(label)!.Split(',').Select(p => p.Trim())), stored, file, "whose labels are in column(s)");
        // Files written before the separator was stored: a one-column multi-label model must have used one.
        bool separatorUnknown = info.LabelSeparator is null && info.Task == "multilabel" && info.LabelColumns.Count == 1;
        if (!separatorUnknown) KeepStored(r, separator, r.GetValue(separator), info.LabelSeparator ?? "(none)", file, "trained with --label-separator");
        return (info.LabelColumns.Count > 0 ? stored : r.GetValue(label), separatorUnknown ? r.GetValue(separator) : info.LabelSeparator);
    }

    /// <summary>True when <paramref name="option"/> was written on the command line (not just defaulted).</summary>
    public static bool IsGiven(ParseResult r, Option option) => r.GetResult(option) is { Implicit: false };

    private static void KeepStored(ParseResult r, Option option, string? given, string? kept, string file, string what)
    {
        if (IsGiven(r, option) && kept is not null && given != kept)
            throw new UsageException($"{option.Name} {given} contradicts {file}, {what} {kept}; the saved model keeps it (leave {option.Name} out, or train a new model)");
    }

    /// <summary>
    /// The extras a model file stores for these settings after <paramref name="plannedEpochs"/>
    /// epochs in all, with the learning rate the optimizer has reached (a float widened to double:
    /// written as the float it is, so "0.001" stays "0.001").
    /// </summary>
    public Dictionary<string, string> ToExtra(int plannedEpochs, double learningRate)
    {
        var extra = new Dictionary<string, string>
        {
            ["data"] = Data, ["model"] = Model, ["dropout"] = Text(Dropout), ["optimizer"] = Optimizer, ["lr"] = Text((float)learningRate),
            ["momentum"] = Text(Momentum), ["weight_decay"] = Text(WeightDecay), ["l1"] = Text(L1), ["l2"] = Text(L2),
            ["batch_size"] = Text(BatchSize), ["validation_split"] = Text(ValidationSplit), ["patience"] = Text(Patience),
            ["seed"] = Seed.ToString(CultureInfo.InvariantCulture), ["epochs"] = Text(plannedEpochs),
        };
        if (Limit is int limit) extra["limit"] = Text(limit);
        if (Delimiter is char delimiter) extra["delimiter"] = delimiter.ToString();
        if (Threads is int threads) extra["threads"] = Text(threads);
        foreach (var (k, v) in Schedule.ToExtra(plannedEpochs)) extra[k] = v;
        TextData?.AddTo(extra);
        return extra;
    }

    /// <summary>The <c>--delimiter</c> a model file stored, or null.</summary>
    /// <exception cref="ModelFileException">The stored value is not one character.</exception>
    public static char? StoredDelimiter(Stored stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Text("delimiter") is not { } text) return null;
        if (text.Length != 1 || text[0] is '"' or '\r' or '\n' or '\0')
            throw new ModelFileException($"{stored.File}: the stored training setting delimiter = {Printable.Quote(text)} is not one field separator");
        return text[0];
    }

    /// <summary>Parses a <c>--task</c> value.</summary>
    /// <exception cref="UsageException">Not a task name.</exception>
    public static TaskKind ParseTask(string name) => name.Trim().ToLowerInvariant() switch
    {
        "multiclass" or "classification" => TaskKind.MultiClass,
        "binary" => TaskKind.Binary,
        "multilabel" => TaskKind.MultiLabel,
        "regression" => TaskKind.Regression,
        _ => throw new UsageException($"unknown task '{name}' (known: multiclass, binary, multilabel, regression, autoencode)"),
    };

    // The output count the stored metadata describes (what ModelPlan appended when the model was made).
    private static int Outputs(ModelInfo info) => info.Task switch
    {
        "binary" => 1,
        "regression" => Math.Max(1, info.TargetMean.Count),
        _ => info.Classes.Count,
    };

    private static string Text(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Stored settings of a model file, parsed with errors that name the file and the entry.</summary>
    internal sealed class Stored(string file, IReadOnlyDictionary<string, string> extra)
    {
        public string File => file;

        public string? Text(string key) => extra.GetValueOrDefault(key);

        public T? Number<T>(string key, Func<string, IFormatProvider, T> parse) where T : struct
        {
            if (!extra.TryGetValue(key, out var text)) return null;
            try
            {
                return parse(text, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new ModelFileException($"{file}: the stored training setting {key} = {Printable.Quote(text)} is not a valid number");
            }
        }
    }
}
