using Nabla.IO;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary>
/// <c>nabla train</c>/<c>predict</c> on the real text data in ../shared/data (issue 11's acceptance
/// commands, seed 0). The full-data figures of every task are measured once and recorded in
/// docs/benchmarks.md ("Text in the CLI"); these runs keep CI fast (appstream whole, debian a subset).
/// </summary>
public sealed class TextRealDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-textreal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_seed_model_tags_appstream_applications_with_thresholds_tuned_on_validation_rows()
    {
        string model = Path.Combine(_dir, "appstream.safetensors");
        var summary = LastJson(Ok("train", "--data", "text:" + TestData.Path_("appstream-categories.tsv.gz"), "--text", "text",
            "--label", "categories", "--label-separator", ";", "--model", "embedding(64) gap1d dense(32,relu)", "--stopwords", "english", "--ngrams", "1",
            "--out", model, "--json"));
        double f1 = summary.GetProperty("test_micro_f1").GetDouble();
        Assert.True(f1 >= 0.60, $"appstream test micro-F1 {f1:F4} (tuned θ) < 0.60");

        // The thresholds come from the validation rows: per label for labels with enough positives there, else shared.
        var (_, info) = ModelFile.Load(model);
        Assert.Equal(133, info.Thresholds.Count);
        Assert.True(info.Thresholds.Distinct().Count() > 1, "every label got the same θ");
        Assert.All(info.Thresholds, t => Assert.InRange(t, 0f, 1f));
    }

    [Fact]
    public void The_seed_model_learns_debian_sections_from_a_subset_of_the_descriptions()
    {
        string model = Path.Combine(_dir, "debian.safetensors");
        var summary = LastJson(Ok("train", "--data", "text:" + TestData.Path_("debian-packages.tsv.gz"), "--text", "description",
            "--label", "section", "--model", "embedding(64) gap1d dense(64,relu)", "--limit", "8000", "--epochs", "5", "--out", model, "--json"));
        double accuracy = summary.GetProperty("test_accuracy").GetDouble();
        // The single-label defaults (Adagrad 0.1 decayed linearly, embedding std 0.01) measured 0.6431; the multi-label
        // recipe they replaced (SparseAdam 0.03, N(0, 1) table) 0.5419, so this bar fails if the defaults fall back.
        Assert.True(accuracy >= 0.60, $"debian section test accuracy {accuracy:F4} on 8,000 training rows < 0.60 (0.6431 measured; the largest section alone is far below)");

        // predict reads the raw description column of a file with other columns and prints one section per row.
        string input = Path.Combine(_dir, "new.tsv");
        File.WriteAllText(input, "package\tdescription\n" +
            "pyfoo\tPython 3 library for parsing configuration files\n" +
            "fonts-bar\tTrueType font family with wide Unicode coverage\n" +
            "qqq\txyzzy plugh\n");
        var lines = Ok("predict", "--model", model, "--input", input).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("class,p_", lines[0], StringComparison.Ordinal);
        Assert.Equal("python", lines[1].Split(',')[0]);
        Assert.Equal("fonts", lines[2].Split(',')[0]);
    }
}
