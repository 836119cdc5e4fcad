using System.CommandLine;
using Nabla.Data.Text;

namespace Nabla.Cli;

/// <summary>
/// The options of <c>nabla train</c> for <c>pairs:</c> data (sequence-to-sequence training): the
/// source and target columns and how texts become tokens.
/// </summary>
internal sealed class PairsOptions
{
    public readonly Option<string?> Source = new("--source") { Description = "pairs: data: the column holding the input texts" };
    public readonly Option<string?> Target = new("--target") { Description = "pairs: data: the column holding the output texts" };
    public readonly Option<string?> Tokens = new("--tokens") { Description = "pairs: data: char (each character a token, the default) or word (whitespace-separated words)", HelpName = "char|word" };

    public IEnumerable<Option> All => [Source, Target, Tokens];

    /// <summary>True when <paramref name="spec"/> names pairs data.</summary>
    public static bool IsPairs(string? spec) => spec is not null && spec.TrimStart().StartsWith("pairs:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file of a <c>pairs:PATH</c> SPEC.</summary>
    public static string PathOf(string spec)
    {
        string path = spec.TrimStart()["pairs:".Length..].Trim();
        NablaCommand.Require(path.Length > 0, "pairs: needs a file: --data pairs:PATH (a CSV or TSV with a header)");
        return path;
    }

    /// <summary>Refuses these options for other data (they would be silently ignored).</summary>
    public void CheckApplies(ParseResult r, string data)
    {
        if (IsPairs(data)) return;
        foreach (var option in All)
            NablaCommand.Require(!TrainingSettings.IsGiven(r, option), $"{option.Name} applies to pairs: data, not {data}");
    }

    /// <summary>The token kind <c>--tokens</c> names (char when not given).</summary>
    public SequenceTokens TokensOf(ParseResult r) => r.GetValue(Tokens) is not { } name ? SequenceTokens.Char
        : SequenceVocabulary.ParseTokens(name) ?? throw new UsageException($"--tokens takes char or word, got {Printable.Quote(name)}");
}
