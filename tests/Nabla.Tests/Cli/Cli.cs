using System.Globalization;
using System.Text.Json;
using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>Runs the nabla command line in-process and reads its output.</summary>
internal static class Cli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter(CultureInfo.InvariantCulture);
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int code = NablaCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and asserts success, showing stderr when it fails.</summary>
    public static string Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.Code == 0, $"nabla {string.Join(' ', args)} exited {r.Code}: {r.Err}");
        return r.Out;
    }

    public static List<JsonElement> JsonLines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    public static JsonElement LastJson(string output) => JsonLines(output)[^1];

    /// <summary>Exit code 2 and one line <c>nabla: …fragment…</c> on stderr, no stack trace.</summary>
    public static void AssertUserError((int Code, string Out, string Err) r, string fragment)
    {
        Assert.True(r.Code == 2, $"exit code {r.Code}, stderr: {r.Err}");
        Assert.StartsWith("nabla: ", r.Err);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(fragment, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }
}
