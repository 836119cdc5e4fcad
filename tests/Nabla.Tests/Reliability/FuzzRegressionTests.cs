using Nabla.Fuzz;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.Reliability;

/// <summary>
/// Every input afl-fuzz found to crash a parser (fuzz/regressions/TARGET) and every seed
/// (fuzz/corpus/TARGET) goes through its fuzz target again on each test run: each is either read or
/// refused with a <see cref="NablaException"/>, never another exception.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        string root = Path.Combine(LayeringTests.RepoRoot(), "fuzz");
        foreach (var folder in new[] { "corpus", "regressions" })
            foreach (var target in FuzzTargets.Names)
            {
                string dir = Path.Combine(root, folder, target);
                if (!Directory.Exists(dir)) continue;
                foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                    data.Add(target, Path.GetRelativePath(root, file));
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Each_input_is_read_or_refused_with_a_nabla_error(string target, string file) =>
        FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(LayeringTests.RepoRoot(), "fuzz", file)));

    [Fact]
    public void Every_target_has_a_seed_corpus_and_the_crashes_found_are_kept()
    {
        string root = Path.Combine(LayeringTests.RepoRoot(), "fuzz");
        foreach (var target in FuzzTargets.Names)
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "corpus", target)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "regressions"), "*", SearchOption.AllDirectories));
    }
}
