using System.Text.RegularExpressions;
using Nabla.Data;

namespace Nabla.Cli;

/// <summary>
/// The tool's words for the library's <see cref="DataOptions"/> properties. The library names the
/// property in its messages (<c>DataOptions.LabelSeparator</c>), since it knows nothing of command
/// lines; the tool rewords them with the flag (or source) that sets the property here.
/// </summary>
internal static partial class DataOptionFlags
{
    /// <summary>What sets each <see cref="DataOptions"/> property in the tool (every property has an entry; a test checks it).</summary>
    public static readonly IReadOnlyDictionary<string, string> Words = new Dictionary<string, string>
    {
        [nameof(DataOptions.Seed)] = "--seed",
        [nameof(DataOptions.Limit)] = "--limit",
        [nameof(DataOptions.Label)] = "--label",
        [nameof(DataOptions.LabelSeparator)] = "--label-separator",
        [nameof(DataOptions.Task)] = "--task",
        [nameof(DataOptions.TextColumn)] = "--text",
        [nameof(DataOptions.Vectorizer)] = "the text options (--max-tokens, --ngrams, --stopwords, --sequence-length)",
        [nameof(DataOptions.Delimiter)] = "--delimiter",
        [nameof(DataOptions.ImagesAsChannels)] = "a convolutional model",
        [nameof(DataOptions.KnownClasses)] = "the model's classes",
        [nameof(DataOptions.TestFraction)] = "the test fraction",
        [nameof(DataOptions.DataRoot)] = "$NABLA_DATA",
    };

    /// <summary><paramref name="message"/> with each <c>DataOptions.Name</c> replaced by the tool's word for it.</summary>
    public static string Reword(string message) =>
        OptionName().Replace(message, m => Words.TryGetValue(m.Groups[1].Value, out var word) ? word : m.Value);

    [GeneratedRegex(@"\bDataOptions\.(\w+)")]
    private static partial Regex OptionName();
}
