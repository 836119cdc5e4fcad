namespace Nabla.Data;

/// <summary>What a data set asks a model to predict; decides the output layer, the loss and how outputs are read.</summary>
public enum TaskKind
{
    /// <summary>One class out of C: C logits, cross-entropy, softmax at prediction time.</summary>
    MultiClass,

    /// <summary>Yes/no: one logit, binary cross-entropy, sigmoid and a threshold at prediction time.</summary>
    Binary,

    /// <summary>Any subset of L labels: L logits, binary cross-entropy, one threshold per label.</summary>
    MultiLabel,

    /// <summary>Real values: linear outputs, mean squared error on standardized targets.</summary>
    Regression,
}

/// <summary>The lower-case names model files and the command line use for <see cref="TaskKind"/>.</summary>
public static class TaskKinds
{
    /// <summary><c>multiclass</c>, <c>binary</c>, <c>multilabel</c> or <c>regression</c>.</summary>
    public static string ToName(this TaskKind kind) => kind switch
    {
        TaskKind.MultiClass => "multiclass",
        TaskKind.Binary => "binary",
        TaskKind.MultiLabel => "multilabel",
        _ => "regression",
    };

    /// <summary>Parses a task name (as written by <see cref="ToName"/>).</summary>
    /// <exception cref="ArgumentException">Not one of the four names.</exception>
    public static TaskKind Parse(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "multiclass" or "classification" => TaskKind.MultiClass,
        "binary" => TaskKind.Binary,
        "multilabel" => TaskKind.MultiLabel,
        "regression" => TaskKind.Regression,
        _ => throw new ArgumentException($"unknown task '{name}' (known: multiclass, binary, multilabel, regression)", nameof(name)),
    };

    /// <summary>True for the three classification tasks.</summary>
    public static bool IsClassification(this TaskKind kind) => kind != TaskKind.Regression;
}
