namespace Nabla.Cli;

/// <summary>Entry point of the <c>nabla</c> tool.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the exit code (0 ok, 2 user error, 1 internal error).</summary>
    public static int Main(string[] args) => NablaCommand.Run(args, Console.Out, Console.Error);
}
