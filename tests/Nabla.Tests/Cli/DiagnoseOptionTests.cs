using System.Text.Json;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla train --diagnose</c>: the issue's three acceptance runs on digits, the text and plot outputs, and divergence.</summary>
public sealed class DiagnoseOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-diagnose-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<string> Warnings(JsonElement summary) =>
        [.. summary.GetProperty("diagnostics").GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)];

    [Fact]
    public void The_default_run_on_digits_gets_no_warning_and_per_layer_figures_for_every_epoch()
    {
        var last = LastJson(Ok("train", "--diagnose", "--json"));
        Assert.Empty(Warnings(last));
        var d = last.GetProperty("diagnostics");
        Assert.Equal(JsonValueKind.Null, d.GetProperty("first_non_finite").ValueKind);
        Assert.Equal(30, d.GetProperty("epochs").GetArrayLength());
        var parameters = d.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], parameters.Select(p => p.GetProperty("name").GetString()));
        foreach (var p in parameters)
            foreach (var key in new[] { "grad_norm", "weight_norm", "update_ratio" })
                Assert.Equal(30, p.GetProperty(key).GetArrayLength());
        var layers = d.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(5, layers.Count);
        Assert.Equal("relu", layers[1].GetProperty("activation").GetString());
        Assert.Equal(30, layers[1].GetProperty("dead_fraction").GetArrayLength());
        Assert.False(layers[0].TryGetProperty("dead_fraction", out _));
    }

    [Fact]
    public void Ten_sigmoid_layers_get_a_vanishing_gradient_warning_naming_the_early_layers()
    {
        string spec = string.Join(' ', Enumerable.Repeat("dense(32,sigmoid)", 10));
        var warnings = Warnings(LastJson(Ok("train", "--model", spec, "--epochs", "3", "--diagnose", "--json")));
        var vanishing = Assert.Single(warnings, w => w.StartsWith("vanishing gradients:", StringComparison.Ordinal));
        Assert.StartsWith("vanishing gradients: layers 0.weight, 2.weight, 4.weight, ", vanishing);
        Assert.EndsWith("of the last layer's gradient norm; consider ReLU or batch norm", vanishing);
    }

    [Fact]
    public void A_relu_network_with_learning_rate_one_gets_a_dead_relu_or_too_large_update_warning()
    {
        foreach (var optimizer in new[] { "adam", "sgd" })
        {
            var warnings = Warnings(LastJson(Ok("train", "--lr", "1.0", "--optimizer", optimizer, "--epochs", "5", "--diagnose", "--json")));
            Assert.True(warnings.Any(w => w.StartsWith("dead ReLU:", StringComparison.Ordinal) || w.EndsWith("learning rate likely too large", StringComparison.Ordinal)),
                $"{optimizer}: {string.Join(" | ", warnings)}");
        }
    }

    [Fact]
    public void The_text_output_ends_with_the_last_epochs_figures_and_the_warnings()
    {
        string o = Ok("train", "--epochs", "2", "--diagnose", "--lr", "1.0");
        Assert.Contains("diagnostics (epoch 2; means over its steps)", o, StringComparison.Ordinal);
        Assert.Contains("  parameter  grad norm  weight norm  update ratio", o, StringComparison.Ordinal);
        Assert.Matches(@"\n  1      ReLU\s+\S+\s+\S+\s+\d+ %", o);
        Assert.Matches(@"\nwarnings\n  epoch \d: ", o);
        Assert.Contains("warnings: none", Ok("train", "--epochs", "2", "--diagnose"), StringComparison.Ordinal);
        Assert.DoesNotContain("diagnostics", Ok("train", "--epochs", "2"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_plot_gets_a_panel_of_per_layer_gradient_norms()
    {
        string plot = Path.Combine(_dir, "curves.svg");
        Ok("train", "--epochs", "3", "--diagnose", "--plot", plot);
        string svg = File.ReadAllText(plot);
        Assert.Contains("log₁₀ gradient norm per layer", svg, StringComparison.Ordinal);
        foreach (var name in new[] { "0.weight", "2.weight", "4.weight" }) Assert.Contains($">{name}</text>", svg, StringComparison.Ordinal);
        Ok("train", "--epochs", "3", "--plot", plot);
        Assert.DoesNotContain("gradient norm", File.ReadAllText(plot), StringComparison.Ordinal);
    }

    [Fact]
    public void A_diverging_run_names_the_first_non_finite_value_in_its_one_line_error()
    {
        var r = Run("train", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "2", "--diagnose", "--json");
        AssertUserError(r, "training diverged: the loss became");
        Assert.Contains("; the first non-finite value: ", r.Err, StringComparison.Ordinal);
        var last = LastJson(r.Out);
        Assert.True(last.GetProperty("diverged").GetBoolean());
        Assert.Contains(Warnings(last), w => w.StartsWith("non-finite values: first produced by ", StringComparison.Ordinal));
    }
}
