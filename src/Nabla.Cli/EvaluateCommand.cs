using System.CommandLine;
namespace Nabla.Cli;
internal static class EvaluateCommand
{
    public static Command Create(CliContext ctx) => new("evaluate", "todo");
}
