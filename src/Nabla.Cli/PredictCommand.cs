using System.CommandLine;
namespace Nabla.Cli;
internal static class PredictCommand
{
    public static Command Create(CliContext ctx) => new("predict", "todo");
}
