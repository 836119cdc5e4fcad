namespace Nabla.Cli;

/// <summary>Entry point of the <c>nabla</c> tool.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the exit code (0 ok, 2 user error, 1 internal error).</summary>
    public static int Main(string[] args)
    {
        if (!Distributed.MpiLaunch.IsActive) return NablaCommand.Run(args, Console.Out, Console.Error);
        // Under mpirun, stdout is a pseudo-terminal that mpirun forwards, to a file or pipe as often as to a
        // screen: no terminal control sequences (.NET sends some for TERM=xterm) and no live progress bars.
        Environment.SetEnvironmentVariable("TERM", "dumb");
        return NablaCommand.Run(args, new CliContext(Console.Out, Console.Error, null));
    }
}
