using System.CommandLine;
using Nabla.IO;

namespace Nabla.Cli;

/// <summary>
/// One-line messages for command lines that do not parse, with a "did you mean" for a mistyped
/// command or option (<c>nabla: unknown option '--epoch' for nabla train; did you mean '--epochs'? (see nabla train --help)</c>).
/// </summary>
internal static class Suggestions
{
    /// <summary>The message for <paramref name="parsed"/>'s errors (<paramref name="parsed"/> has at least one).</summary>
    public static string Message(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        string path = CommandPath(parsed);
        string help = $"(see {path} --help)";
        if (parsed.UnmatchedTokens.Count > 0)
        {
            string token = parsed.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var options = command.Options.Concat(AncestorOptions(parsed)).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct(StringComparer.Ordinal);
                string word = token.Split('=', 2)[0];
                return $"unknown option '{word}' for {path}{DidYouMean.Hint(word, options)} {help}";
            }
            if (command.Subcommands.Count > 0)
                return $"unknown command '{token}' (commands: {string.Join(", ", command.Subcommands.Select(c => c.Name))}){DidYouMean.Hint(token, command.Subcommands.Select(c => c.Name))} {help}";
            return $"unexpected argument '{token}' for {path} {help}";
        }
        return $"{OneLine(parsed.Errors[0].Message)} {help}";
    }

    private static IEnumerable<Option> AncestorOptions(ParseResult parsed)
    {
        for (var r = parsed.CommandResult.Parent; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c)
                foreach (var o in c.Command.Options.Where(o => o.Recursive)) yield return o;
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = parsed.CommandResult; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }

    private static string OneLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        return (nl < 0 ? message : message[..nl]).TrimEnd('.');
    }
}
