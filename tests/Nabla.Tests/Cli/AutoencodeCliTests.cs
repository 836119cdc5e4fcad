using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Nabla.Cli;
using Nabla.IO;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary>
/// <c>nabla train --task autoencode [--noise σ] [--reconstructions FILE.png]</c> and <c>nabla encode</c>, end to end
/// on the embedded digits (tabular) and a 2,000-image Fashion-MNIST subset (images).
/// </summary>
public sealed partial class AutoencodeCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-autoencode-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static string Fashion => "fashion-mnist=" + TestData.Path_("fashion-mnist");

    private string Digits()
    {
        string file = P("digits-ae.nabla");
        if (!File.Exists(file)) Ok("train", "--task", "autoencode", "--model", "dense(32,relu) dense(8)", "--epochs", "10", "--out", file, "--json");
        return file;
    }

    [Fact]
    public void A_tabular_autoencoder_reconstructs_its_standardized_inputs_with_a_linear_output_layer()
    {
        string file = Digits();
        var (_, info) = ModelFile.Load(file);
        Assert.Equal("dense(32,relu) dense(8) dense(64)", info.Architecture);
        Assert.Equal("regression", info.Task); // x → x; predict gives reconstructions in the data's units
        Assert.Equal("autoencode", info.Extra["task"]);
        Assert.Equal(info.InputMean, info.TargetMean);
        var done = LastJson(Ok("train", "--task", "autoencode", "--model", "dense(32,relu) dense(8)", "--epochs", "10", "--json"));
        Assert.Equal("autoencode", done.GetProperty("task").GetString());
        // An 8-dimensional code of 64 pixels explains more than half of their variance on the test rows.
        Assert.True(done.GetProperty("test_r2").GetDouble() > 0.5, $"test R² {done.GetProperty("test_r2").GetDouble()}");
    }

    [Fact]
    public void An_image_autoencoder_has_a_sigmoid_output_and_denoising_writes_a_grid_of_originals_noisy_inputs_and_reconstructions()
    {
        string png = P("rec.png"), model = P("fashion-ae.nabla");
        string[] common = ["train", "--data", Fashion, "--limit", "2000", "--task", "autoencode", "--model", "dense(64,relu) dense(16,relu) dense(64,relu)", "--epochs", "3", "--json"];
        var noisy = LastJson(Ok([.. common, "--noise", "0.3", "--reconstructions", png, "--out", model]));
        var clean = LastJson(Ok(common));
        Assert.Equal("dense(64,relu) dense(16,relu) dense(64,relu) dense(784) sigmoid", noisy.GetProperty("architecture").GetString());
        // Pixels in [0, 1]: predicting the mean image scores about 0.09; three epochs do much better.
        Assert.True(clean.GetProperty("test_mse").GetDouble() < 0.06, $"test MSE {clean.GetProperty("test_mse").GetDouble()}");
        // Noise makes the training inputs harder to reconstruct from (the targets stay clean).
        Assert.True(noisy.GetProperty("train_loss").GetDouble() > clean.GetProperty("train_loss").GetDouble());
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        // 10 columns × 3 rows (originals, noisy inputs, reconstructions) of 28×28 with 2-pixel padding.
        Assert.Equal(10 * 28 + 11 * 2, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(3 * 28 + 4 * 2, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.Equal("0.3", ModelFile.Load(model).Info.Extra["noise"]);
    }

    [Fact]
    public void A_convolutional_encoder_takes_images_as_channels_and_reconstructs_them_flattened()
    {
        string png = P("conv.png"), model = P("conv.nabla"), csv = P("conv.csv");
        var done = LastJson(Ok("train", "--data", Fashion, "--limit", "1000", "--task", "autoencode", "--model", "conv(4,3,pad=1,relu) maxpool(2) flatten dense(16,relu)",
            "--epochs", "2", "--reconstructions", png, "--out", model, "--json"));
        Assert.Equal("conv(4,3,relu,pad=1) maxpool(2) flatten dense(16,relu) dense(784) sigmoid", done.GetProperty("architecture").GetString());
        Assert.Equal([1, 1, 28, 28], ModelFile.Load(model).Info.InputShape);
        Assert.Equal(2 * 28 + 3 * 2, BinaryPrimitives.ReadInt32BigEndian(File.ReadAllBytes(png).AsSpan(20))); // originals, reconstructions
        Assert.Contains("layer 5 of", Ok("encode", "--model", model, "--out", csv), StringComparison.Ordinal); // the ReLU after dense(16)
        Assert.Equal(200, File.ReadAllLines(csv).Length - 1);
    }

    [Fact]
    public void Encode_writes_the_bottleneck_codes_with_labels_and_a_scatter_plot_coloured_by_class()
    {
        string file = Digits(), csv = P("codes.csv"), svg = P("codes.svg");
        string said = Ok("encode", "--model", file, "--out", csv, "--scatter", svg);
        Assert.Contains("layer 2", said, StringComparison.Ordinal); // dense(8), the narrowest layer before the output
        var lines = File.ReadAllLines(csv);
        Assert.Equal("code_1,code_2,code_3,code_4,code_5,code_6,code_7,code_8,label", lines[0]);
        Assert.Equal(359, lines.Length - 1); // the test part of digits
        Assert.All(lines[1..], l => Assert.Equal(9, l.Split(',').Length));
        Assert.Equal(Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)), lines[1..].Select(l => l.Split(',')[^1]).Distinct().Order());
        string plot = File.ReadAllText(svg);
        Assert.Equal(359, Point().Count(plot));
        Assert.Equal(10, LegendLabel().Count(plot));
        Assert.Contains("first 2 of 8 dimensions", plot, StringComparison.Ordinal);

        // --layer picks another layer: the ReLU after dense(32) gives 32 non-negative values per row.
        Ok("encode", "--model", file, "--layer", "1", "--part", "all", "--out", csv);
        lines = File.ReadAllLines(csv);
        Assert.Equal(1797, lines.Length - 1);
        Assert.All(lines[1..], l => Assert.All(l.Split(',')[..^1], v => Assert.True(float.Parse(v, CultureInfo.InvariantCulture) >= 0)));
    }

    [Fact]
    public void Encode_of_a_classifier_takes_its_penultimate_features()
    {
        string file = P("clf.nabla");
        Ok("train", "--model", "dense(16,relu) dense(12,relu)", "--epochs", "1", "--out", file, "--json");
        var (model, info) = ModelFile.Load(file);
        Assert.Equal(3, EncodeCommand.CodeLayer(model, info, null, file)); // the ReLU after dense(12), not the 10 logits
    }

    [Fact]
    public void Svg_scatter_draws_each_point_and_a_legend_entry_per_class_present()
    {
        string svg = SvgScatter.Render([0, 1, 2], [2, 1, 0], [0, 2, 2], ["a<b", "b", "c"], "t", "x", "y");
        Assert.Equal(3, Point().Count(svg));
        Assert.Equal(2, LegendLabel().Count(svg));
        Assert.Contains(">c</text>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("a<b", svg, StringComparison.Ordinal);
        Assert.Contains("class=\"x-label\"", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Autoencoder_and_encode_mistakes_are_one_line_and_exit_2()
    {
        string file = Digits();
        AssertUserError(Run("train", "--noise", "0.1"), "--noise applies to --task autoencode");
        AssertUserError(Run("train", "--task", "autoencode", "--noise", "-1"), "--noise must be a number ≥ 0");
        AssertUserError(Run("train", "--task", "autoencode", "--reconstructions", P("r.png"), "--epochs", "1"), "--reconstructions draws images; digits is not image data");
        AssertUserError(Run("train", "--resume", file, "--epochs", "1"), "is an autoencoder (--task autoencode); resuming one is not supported");
        AssertUserError(Run("evaluate", "--model", file), "is an autoencoder: train --task autoencode reports its test reconstruction error");
        AssertUserError(Run("train", "--task", "autoencoder"), "unknown task 'autoencoder' (known: multiclass, binary, multilabel, regression, autoencode)");
        AssertUserError(Run("encode", "--model", file, "--layer", "9", "--out", P("c.csv")), "--layer 9 is not a layer of");
        AssertUserError(Run("encode", "--model", file, "--part", "some", "--out", P("c.csv")), "--part takes test, train or all");
        AssertUserError(Run("encode", "--model", file, "--input", "iris", "--out", P("c.csv")), "takes inputs of shape [64], iris has samples of shape [4]");
        AssertUserError(Run("encode", "--model", file, "--out", file), "--out");
    }

    [GeneratedRegex("class=\"point\"")]
    private static partial Regex Point();

    [GeneratedRegex("class=\"legend-label\"")]
    private static partial Regex LegendLabel();
}
