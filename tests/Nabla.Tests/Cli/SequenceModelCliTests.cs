using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary>
/// Recurrent and Transformer SPEC words end to end: <c>nabla train --data text:…</c> on a subset of the Debian
/// package descriptions (section, 58 classes; the largest, libs, is 10.5 % of the rows), then inspect and predict
/// on raw text. The full-data figures are in docs/benchmarks.md ("Sequence models in the CLI").
/// </summary>
public sealed class SequenceModelCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-seqcli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    // Measured: 0.399 (bilstm), 0.2925 (transformer) with seed 0 on 4,000 rows and 3 epochs.
    [InlineData("embedding(32) bilstm(32)", "0.003", 0.30, "LSTM(32 → 32, bidirectional, return=last)")]
    [InlineData("embedding(32) posenc transformer(heads=2,layers=1,ff=64) gap1d", "0.001", 0.20, "TransformerEncoder(1 layer)")]
    public void A_sequence_model_learns_debian_sections_and_predicts_from_raw_text(string spec, string lr, double bar, string layer)
    {
        string model = Path.Combine(_dir, "m.safetensors");
        var summary = LastJson(Ok("train", "--data", "text:" + TestData.Path_("debian-packages.tsv.gz"), "--text", "description",
            "--label", "section", "--model", spec, "--limit", "4000", "--epochs", "3", "--lr", lr, "--optimizer", "adam",
            "--threads", "1", "--out", model, "--json"));
        double accuracy = summary.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= bar, $"{spec}: test accuracy {accuracy:F4} < {bar} (2× the largest section or more)");
        Assert.Contains(layer, Ok("inspect", model), StringComparison.Ordinal);

        string input = Path.Combine(_dir, "new.tsv");
        File.WriteAllText(input, "description\nPython 3 library for parsing configuration files\nTrueType font family\n");
        var lines = Ok("predict", "--model", model, "--input", input).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("class,p_", lines[0], StringComparison.Ordinal);
    }
}
