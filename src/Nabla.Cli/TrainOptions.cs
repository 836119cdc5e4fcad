using System.CommandLine;

namespace Nabla.Cli;

/// <summary>The options of <c>nabla train</c>, their defaults and their range checks.</summary>
internal sealed class TrainOptions
{
    public readonly Option<string> Data = new("--data", "-d") { Description = "Data SPEC: digits, iris, xor, fashion-mnist[=DIR], csv:PATH, idx:IMAGES,LABELS", DefaultValueFactory = _ => "digits" };
    public readonly Option<string?> Model = new("--model", "-m") { Description = "Model SPEC, e.g. \"dense(256,relu) dropout(0.2)\"; the output layer is added for the task (default: " + ModelPlan.DefaultHidden + ")" };
    public readonly Option<int> Epochs = new("--epochs", "-e") { Description = "Passes over the training data", DefaultValueFactory = _ => 30 };
    public readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Samples per step", DefaultValueFactory = _ => 32 };
    public readonly Option<float> LearningRate = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 1e-3f };
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "adam, adamw, sgd, rmsprop or adagrad", DefaultValueFactory = _ => "adam" };
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
    public readonly Option<string?> Task = new("--task") { Description = "Override the inferred task: multiclass, binary, multilabel, regression" };
    public readonly Option<string?> Out = new("--out", "-o") { Description = "Save the trained model here (safetensors; optimizer state goes to FILE.optim.safetensors)" };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue training a saved model (and its optimizer state, if saved)" };
    public readonly Option<string?> Plot = new("--plot") { Description = "Write loss/accuracy curves to this SVG file" };
    public readonly Option<bool> Json = new("--json") { Description = "One JSON object per epoch and a final summary object (no bars or tables)" };

    public IEnumerable<Option> All => [Data, Model, Epochs, BatchSize, LearningRate, Optimizer, Momentum, WeightDecay, L1, L2, Dropout,
        ValidationSplit, Patience, Seed, Threads, Limit, Label, LabelSeparator, Task, Out, Resume, Plot, Json];

    /// <summary>Rejects out-of-range values with a message naming the option and the value.</summary>
    public static void Validate(ParseResult r, TrainOptions o)
    {
        NablaCommand.Require(r.GetValue(o.Epochs) >= 1, $"--epochs must be at least 1, got {r.GetValue(o.Epochs)}");
        NablaCommand.Require(r.GetValue(o.BatchSize) >= 1, $"--batch-size must be at least 1, got {r.GetValue(o.BatchSize)}");
        float lr = r.GetValue(o.LearningRate);
        NablaCommand.Require(lr > 0 && float.IsFinite(lr), $"--lr must be a positive number, got {lr}");
        float dropout = r.GetValue(o.Dropout);
        NablaCommand.Require(dropout >= 0 && dropout < 1, $"--dropout must be in [0, 1), got {dropout}");
        float split = r.GetValue(o.ValidationSplit);
        NablaCommand.Require(split >= 0 && split < 1, $"--validation-split must be in [0, 1), got {split}");
        NablaCommand.Require(r.GetValue(o.Threads) is null or >= 1, $"--threads must be at least 1, got {r.GetValue(o.Threads)}");
        NablaCommand.Require(r.GetValue(o.Limit) is null or >= 1, $"--limit must be at least 1, got {r.GetValue(o.Limit)}");
        NablaCommand.Require(r.GetValue(o.Patience) >= 0, $"--patience must be 0 or more, got {r.GetValue(o.Patience)}");
        foreach (var (opt, name) in new[] { (o.Momentum, "--momentum"), (o.WeightDecay, "--weight-decay"), (o.L1, "--l1"), (o.L2, "--l2") })
        {
            float v = r.GetValue(opt);
            NablaCommand.Require(v >= 0 && float.IsFinite(v), $"{name} must be a number ≥ 0, got {v}");
        }
        string optimizer = r.GetValue(o.Optimizer) ?? "";
        NablaCommand.Require(OptimizerNames.Contains(optimizer.ToLowerInvariant()), $"unknown optimizer '{optimizer}' (known: {string.Join(", ", OptimizerNames)})");
    }

    public static readonly string[] OptimizerNames = ["adam", "adamw", "sgd", "rmsprop", "adagrad"];
}
