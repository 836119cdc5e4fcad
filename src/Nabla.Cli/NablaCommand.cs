using System.CommandLine;
using Nabla.IO;

namespace Nabla.Cli;

/// <summary>Where a command writes and whether it may draw live terminal output.</summary>
/// <param name="Out">Results (tables, JSON lines, predictions).</param>
/// <param name="Err">Diagnostics.</param>
/// <param name="Terminal">True when <paramref name="Out"/> is an interactive console (bars and Spectre tables).</param>
internal sealed record CliContext(TextWriter Out, TextWriter Err, bool Terminal);

/// <summary>
/// The <c>nabla</c> command line: <c>train</c>, <c>evaluate</c>, <c>predict</c>, <c>inspect</c>.
/// Exit codes: 0 success; 2 a user mistake (bad option, missing or malformed file), reported as one
/// line <c>nabla: message</c>; 1 an unexpected internal error (<c>nabla: internal error: …</c>).
/// </summary>
public static class NablaCommand
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Ok = 0;

    /// <summary>Exit code of an unexpected failure.</summary>
    public const int InternalError = 1;

    /// <summary>Exit code of a user mistake.</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/>, runs the command and maps failures to exit codes.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        bool terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        var context = new CliContext(stdout, stderr, terminal);
        var root = new RootCommand("nabla: train, evaluate, predict with and inspect neural networks (Nabla deep-learning library)");
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(PredictCommand.Create(context));
        root.Subcommands.Add(InspectCommand.Create(context));
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                stderr.WriteLine($"nabla: {OneLine(parsed.Errors[0].Message)} (see nabla --help)");
                return UsageError;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            // The library names its own concepts (DataOptions.Limit); the user typed flags (--limit).
            stderr.WriteLine($"nabla: {OneLine(DataOptionFlags.Reword(e.Message))}");
            return UsageError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"nabla: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
            return InternalError;
        }
    }

    /// <summary>Mistakes in the user's input or options (as opposed to bugs).</summary>
    internal static bool IsUserError(Exception e) => e is NablaException or ArgumentException
        or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException;

    private static string OneLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        return nl < 0 ? message : message[..nl];
    }

    /// <summary>Throws a user error naming the option when <paramref name="ok"/> is false.</summary>
    internal static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically (temporary file in the same folder, then renamed).</summary>
    internal static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Loads a model file, turning a missing file into a clear user error.</summary>
    internal static (Nabla.Nn.Sequential Model, ModelInfo Info) LoadModel(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        return ModelFile.Load(path);
    }
}
