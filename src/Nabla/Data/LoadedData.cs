namespace Nabla.Data;

/// <summary>
/// A data set resolved from a data SPEC, ready for training: train and test samples, the shape of
/// one sample, the task and the class (or label) names.
/// </summary>
/// <param name="Name">What was loaded, for reports (e.g. <c>digits</c>, <c>csv:houses.csv</c>).</param>
/// <param name="Train">Training samples (validation data is carved out of these by the caller).</param>
/// <param name="Test">Held-out test samples.</param>
/// <param name="SampleShape">One sample's shape without the batch axis, e.g. [64], [784] or [1, 28, 28].</param>
/// <param name="Task">What the targets are; targets are class indices [N] (multi-class), 0/1 [N, 1] (binary), 0/1 [N, L] (multi-label) or values [N, k] (regression).</param>
/// <param name="ClassNames">Class or label names in output order (empty for regression).</param>
/// <param name="IsImage">True when inputs are pixel bytes scaled by 1/255 (<see cref="ImageDataset"/>); false for tabular features to standardize.</param>
/// <param name="LabelColumns">For CSV data, the names of the label columns (so prediction can drop them from inputs).</param>
public sealed record LoadedData(string Name, IDataset Train, IDataset Test, int[] SampleShape, TaskKind Task,
    IReadOnlyList<string> ClassNames, bool IsImage, IReadOnlyList<string> LabelColumns)
{
    /// <summary>Number of model outputs: classes (multi-class), 1 (binary), labels (multi-label) or target columns (regression).</summary>
    public int Outputs { get; init; } = Task switch
    {
        TaskKind.MultiClass or TaskKind.MultiLabel => ClassNames.Count,
        _ => 1,
    };

    /// <summary>For text data (<see cref="Text.LabeledText"/>), the vectorizer that encoded <see cref="Train"/> and <see cref="Test"/>; else null.</summary>
    public Text.TextVectorization? Vectorizer { get; init; }

    /// <summary>For text data, the name of the column the texts came from; else null.</summary>
    public string? TextColumn { get; init; }

    /// <summary>Things the loader did that the user should hear about, e.g. rows it skipped (one line each).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
