using System.CommandLine;
namespace Nabla.Cli;
internal static class InspectCommand
{
    public static Command Create(CliContext ctx) => new("inspect", "todo");
}
