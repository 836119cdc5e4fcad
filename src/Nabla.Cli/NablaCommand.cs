using System.CommandLine;
using Nabla.IO;
using Spectre.Console;

namespace Nabla.Cli;

/// <summary>Where a command writes and whether it may draw live terminal output.</summary>
/// <param name="Out">Results (tables, JSON lines, predictions).</param>
/// <param name="Err">Diagnostics.</param>
/// <param name="Console">The interactive console behind <paramref name="Out"/> (live progress bars and Spectre tables), or null when output goes to a file or pipe.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Err, IAnsiConsole? Console)
{
    /// <summary>True when writing to an interactive console.</summary>
    public bool Terminal => Console is not null;
}

/// <summary>
/// The <c>nabla</c> command line: <c>train</c>, <c>evaluate</c>, <c>predict</c>, <c>inspect</c>, <c>embed</c>.
/// Exit codes: 0 success; 2 a user mistake (bad option, missing or malformed file), reported as one
/// line <c>nabla: message</c>; 1 an unexpected internal error (<c>nabla: internal error: …</c>, a
/// request to report it, and the stack trace). A user mistake is a <see cref="NablaException"/>
/// (the library's errors for bad shapes, data, SPECs and files, and <see cref="UsageException"/>)
/// or a file-system error on a file the user named; any other exception is a bug.
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
        return Run(args, new CliContext(stdout, stderr, terminal ? AnsiConsole.Console : null));
    }

    /// <summary>Runs <paramref name="args"/> writing to <paramref name="context"/> (tests pass a recording console).</summary>
    internal static int Run(string[] args, CliContext context)
    {
        var (stdout, stderr) = (context.Out, context.Err);
        // A plain Command named "nabla" rather than RootCommand, which takes its name from the executable (Nabla.Cli).
        var root = new Command("nabla", "Train, evaluate, predict with, inspect, encode with, export (ONNX) and convert (PyTorch) neural networks with the Nabla deep-learning library")
        {
            new System.CommandLine.Help.HelpOption(), new VersionOption(),
        };
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(PredictCommand.Create(context));
        root.Subcommands.Add(InspectCommand.Create(context));
        root.Subcommands.Add(ExplainCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(ConvertCommand.Create(context));
        root.Subcommands.Add(EmbedCommand.Create(context));
        root.Subcommands.Add(GenerateCommand.Create(context));
        root.Subcommands.Add(EncodeCommand.Create(context));
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                stderr.WriteLine($"nabla: {Printable.Escape(OneLine(Suggestions.Message(parsed)))}");
                return UsageError;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Report(e, stderr);
        }
    }

    /// <summary>
    /// Reports a failure: a user mistake as one line (exit 2); anything else as an internal error
    /// naming the exception type, asking for a report, with the stack trace (exit 1).
    /// </summary>
    internal static int Report(Exception e, TextWriter stderr)
    {
        if (IsUserError(e))
        {
            // The library names its own concepts (DataOptions.Limit); the user typed flags (--limit).
            // Printable.MessageOf escapes control characters a value from a file may carry (terminal safety).
            stderr.WriteLine($"nabla: {DataOptionFlags.Reword(Printable.MessageOf(e))}");
            return UsageError;
        }
        stderr.WriteLine($"nabla: internal error: {e.GetType().FullName}: {Printable.Escape(OneLine(e.Message))}");
        stderr.WriteLine("nabla: this is a bug in Nabla, not a mistake in your command; please report it with the command line and the trace below");
        stderr.WriteLine(e.StackTrace);
        return InternalError;
    }

    /// <summary>
    /// Mistakes in the user's input or options (as opposed to bugs): the library's user-input
    /// errors, the CLI's own, and file-system errors on the files the user named (missing, not
    /// readable, not writable). An <see cref="ArgumentException"/> is a bug: whatever a user can
    /// get wrong is checked and reported as a <see cref="NablaException"/> first.
    /// </summary>
    internal static bool IsUserError(Exception e) => e is NablaException or IOException or UnauthorizedAccessException;

    private static string OneLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        return nl < 0 ? message : message[..nl];
    }

    /// <summary>Throws a user error naming the option when <paramref name="ok"/> is false.</summary>
    internal static void Require(bool ok, string message)
    {
        if (!ok) throw new UsageException(message);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically (<see cref="AtomicFile"/>).</summary>
    internal static void WriteAtomically(string path, string text) =>
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Loads a model file, turning a missing file or a folder into a clear user error.</summary>
    internal static (Nabla.Nn.Sequential Model, ModelInfo Info) LoadModel(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{Printable.Escape(path)} is a folder, not a model file");
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {Printable.Escape(path)}", path);
        try
        {
            return ModelFile.Load(path);
        }
        catch (StateDictWithoutMetadataException e)
        {
            throw new UsageException($"{Printable.Escape(path)} is a plain state dict (e.g. PyTorch's), not a Nabla model file: make one with nabla convert --spec \"SPEC\" --weights {Printable.Escape(path)} --out MODEL, where SPEC describes the network ({e.Message})");
        }
    }
}
