using System.Reflection;
using Nabla.Tests.Architecture;
using PublicApiGenerator;

namespace Nabla.Tests.Api;

/// <summary>
/// The public surface of each library, recorded in <c>tests/Nabla.Tests/Api/{assembly}.approved.txt</c>, so every
/// change of it is visible in review. After an intended change, run the tests with <c>NABLA_ACCEPT_API=1</c>
/// (it rewrites the files) and commit them; otherwise the test writes <c>{assembly}.received.txt</c> to compare.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Libraries => ["Nabla", "Nabla.Onnx", "Nabla.Distributed"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void The_public_surface_matches_its_approved_record(string name)
    {
        var assembly = Assembly.Load(name);
        string api = assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        string dir = Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "Api");
        string approvedPath = Path.Combine(dir, name + ".approved.txt");
        string receivedPath = Path.Combine(dir, name + ".received.txt");
        if (Environment.GetEnvironmentVariable("NABLA_ACCEPT_API") == "1")
        {
            File.WriteAllText(approvedPath, api);
            File.Delete(receivedPath);
            return;
        }
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (approved == api)
        {
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, api);
        Assert.Fail($"the public API of {name} changed: first difference at {FirstDifference(approved, api)}; compare {receivedPath} with {approvedPath}, and if the change is intended run the tests with NABLA_ACCEPT_API=1 and commit the approved file");
    }

    private static string FirstDifference(string approved, string actual)
    {
        var a = approved.Split('\n');
        var b = actual.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "(end)", y = i < b.Length ? b[i] : "(end)";
            if (x != y) return $"line {i + 1}: approved \"{x.Trim()}\", now \"{y.Trim()}\"";
        }
        return "(none)";
    }
}
