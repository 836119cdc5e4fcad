using Nabla.Tests.Architecture;

namespace Nabla.Tests;

/// <summary>Paths to the real data sets, which sit at ../shared/data from the repository root.</summary>
internal static class TestData
{
    /// <summary>The shared data directory; throws when it is missing so real-data tests fail loudly.</summary>
    public static string DataDir
    {
        get
        {
            var data = Path.GetFullPath(Path.Combine(LayeringTests.RepoRoot(), "..", "shared", "data"));
            if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"real data sets are missing: {data}");
            return data;
        }
    }

    public static string Path_(params string[] parts) => Path.Combine([DataDir, .. parts]);
}
