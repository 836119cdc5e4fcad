using System.Globalization;
using Nabla.Data;
using Nabla.IO;

namespace Nabla.Cli;

/// <summary>Checks that data loaded for a saved model (to resume training or to evaluate it) is data that model can read.</summary>
internal static class SavedModelData
{
    /// <summary>The data options that read data the way the model in <paramref name="info"/> was trained on it (its task, classes, image layout).</summary>
    public static DataOptions Options(ModelInfo info, ulong seed, int? limit, string? label, string? separator, char? delimiter) => new()
    {
        Seed = seed, Limit = limit, Label = label, LabelSeparator = separator, Delimiter = delimiter, Task = TaskKinds.Parse(info.Task),
        ImagesAsChannels = info.InputShape.Length > 2, KnownClasses = info.Classes.Count > 0 ? info.Classes : null,
        TextColumn = info.Vectorizer is null ? null : info.TextColumn, Vectorizer = info.Vectorizer,
    };

    /// <summary>Refuses data whose sample shape, task or classes differ from the model's.</summary>
    /// <exception cref="UsageException">Names the model file and both sides.</exception>
    public static void Check(string file, ModelInfo info, LoadedData data)
    {
        int[] expected = info.InputShape[1..];
        if ((info.Vectorizer is null) != (data.Vectorizer is null))
            throw new UsageException(info.Vectorizer is null ? $"{file} does not read text, {data.Name} is text data" : $"{file} reads text, {data.Name} is not text data (text:PATH)");
        // Texts have any length; the stored vectorizer (passed to the loader) makes the token ids.
        if (info.Vectorizer is null && !expected.SequenceEqual(data.SampleShape))
            throw new UsageException($"{file} expects {Size(expected)} input features, the data has {Size(data.SampleShape)} ({data.Name})");
        if (data.Task.ToName() != info.Task)
            throw new UsageException($"{file} is a {info.Task} model, {data.Name} is a {data.Task.ToName()} task");
        if (info.Classes.Count == 0 || data.ClassNames.SequenceEqual(info.Classes)) return;
        // IDX label files name classes by index only: any index the model knows fits.
        bool indices = data.ClassNames.Select((c, i) => c == i.ToString(CultureInfo.InvariantCulture)).All(b => b);
        if (!(indices && data.ClassNames.Count <= info.Classes.Count))
            throw new UsageException($"{file} knows the classes {string.Join(", ", info.Classes)}; {data.Name} has {Printable.Escape(string.Join(", ", data.ClassNames))}");
    }

    private static string Size(int[] shape) => string.Join("×", shape);
}
