using System.CommandLine;

namespace Nabla.Cli;

/// <summary>The options of <c>nabla train</c>, their defaults and their range checks.</summary>
internal sealed class TrainOptions
{
    public readonly Option<string> Data = new("--data", "-d") { Description = "Data SPEC: digits, iris, xor, fashion-mnist[=DIR], csv:PATH, idx:IMAGES,LABELS", DefaultValueFactory = _ => "digits" };
    public readonly Option<string?> Model = new("--model", "-m") { Description = ModelPlan.SpecHelp, HelpName = "SPEC" };
    public readonly Option<int> Epochs = new("--epochs", "-e") { Description = "Passes over the training data (with --resume: more passes; default: those the resumed run has left)", DefaultValueFactory = _ => 30 };
    public readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Samples per step", DefaultValueFactory = _ => 32 };
    public readonly Option<float> LearningRate = new("--lr") { Description = "Learning rate (η₀ of --lr-schedule)", DefaultValueFactory = _ => 1e-3f };
    public readonly Option<string> Optimizer = new("--optimizer")
    {
        Description = "The update rule: adam (Adam), adamw (Adam with decoupled weight decay), sgd (with --momentum, Nesterov off), rmsprop (with --momentum), adagrad, sparseadam (lazy Adam: only the embedding rows a batch uses change; the default for text: data)",
        HelpName = string.Join('|', OptimizerNames), DefaultValueFactory = _ => "adam",
    };
    public readonly Option<float> Momentum = new("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0f };
    public readonly Option<float> WeightDecay = new("--weight-decay") { Description = "Optimizer weight decay on the weights of dense and conv layers, not biases or batch norm (AdamW: decoupled)", DefaultValueFactory = _ => 0f };
    public readonly Option<float> L1 = new("--l1") { Description = "L1 penalty λ₁ Σ|w| over the weights of dense and conv layers, added to the loss", DefaultValueFactory = _ => 0f };
    public readonly Option<float> L2 = new("--l2") { Description = "L2 penalty λ₂ Σw² over the weights of dense and conv layers, added to the loss", DefaultValueFactory = _ => 0f };
    public readonly Option<float> Dropout = new("--dropout") { Description = "Insert dropout(P) after each hidden dense layer", DefaultValueFactory = _ => 0f };
    public readonly Option<float> ValidationSplit = new("--validation-split") { Description = "Fraction of training rows held out for validation", DefaultValueFactory = _ => 0.1f };
    public readonly Option<int> Patience = new("--patience") { Description = "Stop after this many epochs without val_loss improvement (0: off), restoring the best weights", DefaultValueFactory = _ => 0 };
    public readonly Option<ulong> Seed = new("--seed") { Description = "Seed of splits, initial weights, shuffling and dropout", DefaultValueFactory = _ => 0UL };
    public readonly Option<int?> Threads = new("--threads") { Description = "Worker threads for the kernels (default: all processors)" };
    public readonly Option<int?> Limit = new("--limit") { Description = "Use only the first N training and N/5 test samples" };
    public readonly Option<string?> Label = new("--label") { Description = "CSV label column(s): name or 0-based index; a,b,c = multi-label (default: last column)" };
    public readonly Option<string?> LabelSeparator = new("--label-separator") { Description = "CSV: one label column holding several labels joined by this separator (multi-label)" };
    public readonly Option<string?> Delimiter = new("--delimiter") { Description = "CSV field separator: a character such as ';' or '|', or tab (default: tab for .tsv and .tab files, else ',')" };
    public readonly Option<string?> Task = new("--task") { Description = "Override the inferred task: multiclass, binary, multilabel, regression; or autoencode (targets = inputs, MSE)" };
    public readonly Option<string?> Out = new("--out", "-o") { Description = "Save the trained model here (safetensors; optimizer state goes to FILE.optim.safetensors)" };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue training a saved model with its stored settings and optimizer state; options may override data, epochs, lr, batch size, penalties, patience, threads" };
    public readonly Option<string?> Plot = new("--plot") { Description = "Write loss, accuracy and learning-rate curves (best epoch marked) to this SVG file" };
    public readonly Option<bool> Json = new("--json") { Description = "One JSON object per epoch and a final summary object (no bars or tables)" };
    public readonly Option<bool> Distributed = new("--distributed") { Description = "Train as one of the processes of mpirun -np N (data-parallel over MPI; each batch is split among them, rank 0 prints and saves)" };
    public readonly Option<bool> Diagnose = new("--diagnose") { Description = "Record per-layer gradient norms, update ratios, dead ReLU and saturated units; warn about vanishing gradients, dead units, learning rates, overfitting and where NaN first appeared" };

    public readonly ScheduleOptions Schedule = new();

    /// <summary>The options for text: data.</summary>
    public readonly TextOptions Text = new();

    /// <summary>The options for pairs: data (sequence-to-sequence).</summary>
    public readonly PairsOptions Pairs = new();

    /// <summary>Transfer learning, layer-wise pre-training and autoencoder options.</summary>
    public readonly ReuseOptions Reuse = new();

    public IEnumerable<Option> All => [Data, Model, Epochs, BatchSize, LearningRate, Optimizer, Momentum, WeightDecay, L1, L2, Dropout,
        ValidationSplit, Patience, Seed, Threads, Limit, Label, LabelSeparator, Delimiter, Task, Out, Resume, Plot, Json, Diagnose, Distributed, .. Schedule.All, .. Text.All, .. Pairs.All, .. Reuse.All];

    /// <summary>
    /// Rejects out-of-range values and options that would be silently ignored, with a message naming
    /// the option and the value (the same checks cover values given now and values a resumed model stored).
    /// </summary>
    public static void Validate(TrainingSettings s)
    {
        NablaCommand.Require(s.Epochs >= 1, $"--epochs must be at least 1, got {s.Epochs}");
        NablaCommand.Require(s.BatchSize >= 1, $"--batch-size must be at least 1, got {s.BatchSize}");
        NablaCommand.Require(s.LearningRate > 0 && float.IsFinite(s.LearningRate), $"--lr must be a positive number, got {s.LearningRate}");
        NablaCommand.Require(s.Dropout >= 0 && s.Dropout < 1, $"--dropout must be in [0, 1), got {s.Dropout}");
        NablaCommand.Require(s.ValidationSplit >= 0 && s.ValidationSplit < 1, $"--validation-split must be in [0, 1), got {s.ValidationSplit}");
        NablaCommand.Require(s.Threads is null or >= 1, $"--threads must be at least 1, got {s.Threads}");
        NablaCommand.Require(s.Limit is null or >= 1, $"--limit must be at least 1, got {s.Limit}");
        NablaCommand.Require(s.Patience >= 0, $"--patience must be 0 or more, got {s.Patience}");
        NablaCommand.Require(s.Data.Trim().Length > 0, "--data must name a data set");
        foreach (var (v, name) in new[] { (s.Momentum, "--momentum"), (s.WeightDecay, "--weight-decay"), (s.L1, "--l1"), (s.L2, "--l2") })
            NablaCommand.Require(v >= 0 && float.IsFinite(v), $"{name} must be a number ≥ 0, got {v}");
        NablaCommand.Require(OptimizerNames.Contains(s.Optimizer), $"unknown optimizer '{s.Optimizer}' (known: {string.Join(", ", OptimizerNames)})");
        NablaCommand.Require(s.Momentum == 0 || s.Optimizer is "sgd" or "rmsprop", $"--momentum applies to sgd and rmsprop, not {s.Optimizer}");
        NablaCommand.Require(s.WeightDecay == 0 || s.Optimizer != "sparseadam", "--weight-decay does not apply to sparseadam (use --l2, or adamw)");
        NablaCommand.Require(s.Patience == 0 || s.ValidationSplit > 0, "--patience watches val_loss and needs validation data (--validation-split > 0)");
        if (s.TextData is { } text) TextOptions.Validate(text);
    }

    public static readonly string[] OptimizerNames = ["adam", "adamw", "sgd", "rmsprop", "adagrad", "sparseadam"];

    /// <summary>Parses a <c>--delimiter</c> value: one character other than a quote or a line break, or <c>tab</c>/<c>\t</c>.</summary>
    /// <exception cref="UsageException">Anything else.</exception>
    public static char ParseDelimiter(string text) => text switch
    {
        "tab" or "\\t" or "\t" => '\t',
        "space" => ' ',
        { Length: 1 } when text[0] is not ('"' or '\r' or '\n' or '\0') => text[0],
        _ => throw new UsageException($"--delimiter takes one character (such as ';' or '|') or tab, got {Printable.Quote(text)}"),
    };
}
