using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.Packaging;

/// <summary>
/// Packs the solution's packages (from the build the tests run on: <c>dotnet pack --no-build</c>) and
/// checks the metadata NuGet shows: id, licence expression, readme, description, tags, repository,
/// symbols package; the tool is a DotnetTool named <c>nabla</c>.
/// </summary>
public sealed class PackageMetadataTests : IClassFixture<PackageMetadataTests.Packed>
{
    private readonly Packed _packed;

    public PackageMetadataTests(Packed packed) => _packed = packed;

    /// <summary>Runs <c>dotnet pack</c> once for the class.</summary>
    public sealed class Packed : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("nabla-pack-").FullName;

        public Packed()
        {
            // The configuration the tests were built in (bin/Release/… or bin/Debug/…).
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            var start = new ProcessStartInfo("dotnet", ["pack", Path.Combine(LayeringTests.RepoRoot(), "Nabla.slnx"), "-c", configuration, "--no-build", "-o", Dir, "-nologo"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            // The test host's MSBuild variables would point the child at the test runner's MSBuild.
            foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" }) start.Environment.Remove(name);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var pack = Process.Start(start)!;
            var stdout = pack.StandardOutput.ReadToEndAsync();
            string stderr = pack.StandardError.ReadToEnd();
            pack.WaitForExit();
            if (pack.ExitCode != 0) throw new InvalidOperationException($"dotnet pack failed ({pack.ExitCode}):\n{stdout.Result}\n{stderr}");
        }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    private (XElement Metadata, ZipArchive Package) Nuspec(string id)
    {
        string path = Path.Combine(_packed.Dir, $"{id}.{ModelFileVersion}.nupkg");
        Assert.True(File.Exists(path), $"{path} was not packed; found {string.Join(", ", Directory.GetFiles(_packed.Dir).Select(Path.GetFileName))}");
        var zip = ZipFile.OpenRead(path);
        var entry = zip.Entries.Single(e => e.FullName == $"{id}.nuspec");
        using var stream = entry.Open();
        var doc = XDocument.Load(stream);
        return (doc.Root!.Elements().Single(e => e.Name.LocalName == "metadata"), zip);
    }

    private static string ModelFileVersion => Nabla.IO.ModelFile.Version;

    private static string Value(XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? throw new Xunit.Sdk.XunitException($"nuspec has no <{name}>");

    [Theory]
    [InlineData("Nabla", "deep-learning")]
    [InlineData("Nabla.Onnx", "onnx")]
    [InlineData("Nabla.Cli", "dotnet-tool")]
    public void Each_package_has_licence_readme_description_tags_repository_and_symbols(string id, string tag)
    {
        var (metadata, package) = Nuspec(id);
        using (package)
        {
            Assert.Equal(id, Value(metadata, "id"));
            var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
            Assert.Equal("expression", license.Attribute("type")?.Value);
            Assert.Equal("MIT", license.Value);
            Assert.Equal("The Nabla authors", Value(metadata, "authors"));
            Assert.True(Value(metadata, "description").Length > 40, "the description says what the package is");
            Assert.Contains(tag, Value(metadata, "tags").Split(' '));
            Assert.Equal("README.md", Value(metadata, "readme"));
            Assert.Contains(package.Entries, e => e.FullName == "README.md");
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal("git", repository.Attribute("type")?.Value);
            Assert.StartsWith("https://", repository.Attribute("url")?.Value, StringComparison.Ordinal);
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");   // SourceLink's commit
            Assert.Equal(repository.Attribute("url")?.Value, Value(metadata, "projectUrl"));
        }
        Assert.True(File.Exists(Path.Combine(_packed.Dir, $"{id}.{ModelFileVersion}.snupkg")), $"no symbols package for {id}");
    }

    [Fact]
    public void The_tool_package_installs_the_nabla_command()
    {
        var (metadata, package) = Nuspec("Nabla.Cli");
        using (package)
        {
            var types = metadata.Elements().Single(e => e.Name.LocalName == "packageTypes").Elements().Select(e => e.Attribute("name")?.Value);
            Assert.Contains("DotnetTool", types);
            var settings = package.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
            using var stream = settings.Open();
            var command = XDocument.Load(stream).Descendants().Single(e => e.Name.LocalName == "Command");
            Assert.Equal("nabla", command.Attribute("Name")?.Value);
        }
    }

    [Fact]
    public void Only_the_library_the_exporter_and_the_tool_are_packed()
    {
        var ids = Directory.GetFiles(_packed.Dir, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal([$"Nabla.{ModelFileVersion}.nupkg", $"Nabla.Cli.{ModelFileVersion}.nupkg", $"Nabla.Onnx.{ModelFileVersion}.nupkg"], ids);
    }
}
