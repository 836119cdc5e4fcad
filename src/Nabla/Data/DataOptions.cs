namespace Nabla.Data;

/// <summary>How <see cref="DataSpec.Load"/> reads a data SPEC.</summary>
public sealed record DataOptions
{
    /// <summary>Seed of the train/test split for data sets without a fixed test set (iris, digits, CSV).</summary>
    public ulong Seed { get; init; }

    /// <summary>Use only the first N training samples and max(1, N/5) test samples.</summary>
    public int? Limit { get; init; }

    /// <summary>CSV label column(s): a name or 0-based index, or several separated by commas (multi-label); null = last column.</summary>
    public string? Label { get; init; }

    /// <summary>CSV: the one label column holds several labels joined by this separator (multi-label).</summary>
    public string? LabelSeparator { get; init; }

    /// <summary>Text data: the column holding the texts.</summary>
    public string? TextColumn { get; init; }

    /// <summary>
    /// Text data: the vectorizer that turns texts into token ids. One without a vocabulary is adapted
    /// on the training part (and returned in <see cref="LoadedData.Vectorizer"/>); null uses a default
    /// <see cref="Text.TextVectorization"/>.
    /// </summary>
    public Text.TextVectorization? Vectorizer { get; init; }
    /// <summary>
    /// CSV: the field separator (e.g. ';' or '\t'); null picks it from the file name: a tab for
    /// <c>.tsv</c> and <c>.tab</c>, a comma otherwise.
    /// </summary>
    public char? Delimiter { get; init; }

    /// <summary>Forces the task instead of inferring it from the labels.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>Images are given as [1, H, W] (for convolutional models) instead of flattened [H·W].</summary>
    public bool ImagesAsChannels { get; init; }

    /// <summary>
    /// Class names a model already knows (evaluation of a saved model): categorical labels are
    /// mapped to these indices and a label outside them is an error.
    /// </summary>
    public IReadOnlyList<string>? KnownClasses { get; init; }

    /// <summary>Fraction of the rows held out for testing where the data has no test set (CSV, iris, digits).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Where to look for data sets by name before the standard folders (defaults to <c>$NABLA_DATA</c>).</summary>
    public string? DataRoot { get; init; } = Environment.GetEnvironmentVariable("NABLA_DATA");
}
