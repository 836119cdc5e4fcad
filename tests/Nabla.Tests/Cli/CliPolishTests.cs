using System.Text.RegularExpressions;
using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>The tool's usage line, help texts, typo suggestions and number formats.</summary>
public sealed class CliPolishTests
{
    [Fact]
    public void The_usage_line_names_the_nabla_command()
    {
        string help = Cli.Ok("train", "--help");
        Assert.Contains("Usage:\n  nabla train [options]", help.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Nabla.Cli", help, StringComparison.Ordinal);
        Assert.Contains("nabla [command] [options]", Cli.Ok("--help"), StringComparison.Ordinal);
    }

    [Fact]
    public void Model_help_shows_the_layer_grammar_and_examples_and_optimizer_help_lists_the_choices()
    {
        string help = Cli.Ok("train", "--help");
        Assert.Contains("NAME(ARG,…,KEY=VALUE)", help, StringComparison.Ordinal);
        Assert.Contains("dense|linear(units, [activation], activation=)", help, StringComparison.Ordinal);
        Assert.Contains("conv|conv2d|conv1d(filters, kernel, [activation]", help, StringComparison.Ordinal);
        Assert.Contains("\"conv(32,5,pad=2,relu) maxpool(2)", help, StringComparison.Ordinal);
        Assert.Contains("--optimizer <adam|adamw|sgd|rmsprop|adagrad|sparseadam>", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "train", "--epoch", "3" }, "unknown option '--epoch' for nabla train; did you mean '--epochs'? (see nabla train --help)")]
    [InlineData(new[] { "trian" }, "unknown command 'trian' (commands: train, evaluate, predict, inspect, explain, export, convert, embed, generate, encode); did you mean 'train'? (see nabla --help)")]
    [InlineData(new[] { "evaluate", "--modle", "m.safetensors" }, "did you mean '--model'?")]
    [InlineData(new[] { "train", "--optimiser=sgd" }, "unknown option '--optimiser' for nabla train; did you mean '--optimizer'?")]
    public void A_mistyped_command_or_option_gets_a_suggestion(string[] args, string message) =>
        Cli.AssertUserError(Cli.Run(args), message);

    [Theory]
    [InlineData(17450.3, "17,450")]
    [InlineData(0.123456, "0.1235")]
    [InlineData(1.234e-5, "0.00001234")]
    [InlineData(0, "0.0000")]
    [InlineData(double.NaN, "-")]
    public void Figures_for_people_are_plain_decimals(double value, string text) => Assert.Equal(text, Numbers.Figure(value));

    [Theory]
    [InlineData(17450.1234567, "17450.123457")]
    [InlineData(1.5e-6, "0.0000015")]
    [InlineData(2.5e-9, "0.0000000025")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(-0.25, "-0.25")]
    public void Json_numbers_have_no_exponent(double value, string text) => Assert.Equal(text, Numbers.Json(value));

    [Fact]
    public void Training_output_has_no_number_in_exponent_notation()
    {
        var exponent = new Regex(@"\d[eE][+-]?\d");
        string json = Cli.Ok("train", "--data", "iris", "--epochs", "2", "--lr", "0.00001", "--json");
        Assert.DoesNotMatch(exponent, json);
        Assert.Matches(@"""samples_per_second"":\d+(\.\d+)?[,}]", Cli.LastJson(json).GetRawText());
        string human = Cli.Ok("train", "--data", "iris", "--epochs", "2", "--lr", "0.00001");
        Assert.DoesNotMatch(exponent, human);
        Assert.Contains("adam lr 0.00001", human, StringComparison.Ordinal);
    }
}
