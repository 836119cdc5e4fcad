using System.Globalization;
using Nabla.Cli;
using Nabla.IO;
using Nabla.Tensors;
using Nabla.Tests.Architecture;
using Spectre.Console;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary>Each <c>train</c> option changes what it should: every test here fails if its option is ignored.</summary>
public sealed class TrainOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    /// <summary>Trains on iris with SGD and returns the saved model's weight matrices.</summary>
    private Dictionary<string, Tensor> Weights(string name, params string[] options)
    {
        string model = P(name + ".safetensors");
        Ok(["train", "--data", "iris", "--optimizer", "sgd", "--lr", "0.1", "--epochs", "5", .. options, "--out", model, "--json"]);
        return Safetensors.Load(model).Tensors.Where(kv => kv.Key.EndsWith("weight", StringComparison.Ordinal)).ToDictionary();
    }

    private static double SumSquares(Dictionary<string, Tensor> w) => w.Values.Sum(t => t.ToArray().Sum(v => (double)v * v));

    private static double SumAbs(Dictionary<string, Tensor> w) => w.Values.Sum(t => t.ToArray().Sum(v => Math.Abs((double)v)));

    [Fact]
    public void Momentum_gives_sgd_momentum_buffers_and_other_weights()
    {
        var plain = Weights("plain");
        var heavy = Weights("momentum", "--momentum", "0.9");
        Assert.NotEqual(plain["0.weight"].ToArray(), heavy["0.weight"].ToArray());
        Assert.DoesNotContain("0.momentum_buffer", Safetensors.Load(OptimizerState.PathFor(P("plain.safetensors"))).Tensors.Keys);
        var buffer = Safetensors.Load(OptimizerState.PathFor(P("momentum.safetensors"))).Tensors["0.momentum_buffer"];
        Assert.NotEqual(0f, buffer.ToArray().Select(MathF.Abs).Max());
        Assert.Equal("0.9", ModelFile.Load(P("momentum.safetensors")).Info.Extra["momentum"]);
    }

    [Fact]
    public void Weight_decay_shrinks_the_weights()
    {
        double plain = SumSquares(Weights("plain")), decayed = SumSquares(Weights("decayed", "--weight-decay", "0.5"));
        Assert.True(decayed < 0.8 * plain, $"Σw² {decayed} with decay, {plain} without");
    }

    [Fact]
    public void An_l1_penalty_shrinks_the_sum_of_absolute_weights()
    {
        double plain = SumAbs(Weights("plain")), penalized = SumAbs(Weights("l1", "--l1", "0.01"));
        Assert.True(penalized < 0.8 * plain, $"Σ|w| {penalized} with L1, {plain} without");
    }

    [Fact]
    public void An_l2_penalty_shrinks_the_sum_of_squared_weights()
    {
        double plain = SumSquares(Weights("plain")), penalized = SumSquares(Weights("l2", "--l2", "0.05"));
        Assert.True(penalized < 0.8 * plain, $"Σw² {penalized} with L2, {plain} without");
    }

    [Fact]
    public void Patience_stops_early_and_the_file_is_the_best_epochs_checkpoint()
    {
        // SGD at lr 1 on iris: val_loss jumps around, so three epochs without improvement come soon.
        string model = P("patience.safetensors");
        var last = LastJson(Ok("train", "--data", "iris", "--optimizer", "sgd", "--lr", "1", "--epochs", "100", "--patience", "3", "--out", model, "--json"));
        int run = last.GetProperty("epochs_run").GetInt32();
        Assert.InRange(run, 4, 99);
        var history = HistoryRecords.Parse(ModelFile.Load(model).Info.HistoryJson);
        // The file ends at the best epoch, which at least three epochs without improvement followed.
        Assert.InRange(history.Count, 1, run - 3);
        Assert.Equal(history.Min(h => h["val_loss"]), history[^1]["val_loss"]);
        // The printed test figures are those of the saved (best) weights.
        var e = LastJson(Ok("evaluate", "--model", model, "--json"));
        Assert.Equal(last.GetProperty("test_loss").GetDouble(), e.GetProperty("test_loss").GetDouble(), 5);
    }

    [Fact]
    public void A_label_separator_makes_one_column_of_joined_labels_a_multi_label_task()
    {
        string csv = P("tags.csv");
        File.WriteAllText(csv, ResumeTests.TagsCsv());
        // Without a separator a cell is one label ("hot;wet" one class), and an empty cell a missing label.
        AssertUserError(Run("train", "--data", "csv:" + csv, "--epochs", "1", "--json"), "the label is empty (a missing label?)");
        string model = P("tags.safetensors");
        var split = LastJson(Ok("train", "--data", "csv:" + csv, "--label-separator", ";", "--epochs", "30", "--lr", "0.01", "--out", model, "--json"));
        Assert.Equal("multilabel", split.GetProperty("task").GetString());
        Assert.True(split.GetProperty("test_micro_f1").GetDouble() > 0.9, split.ToString());
        string input = P("in.csv");
        File.WriteAllText(input, "x,y,tags\n2,2,hot;wet;windy\n-2,-2,\n");
        var rows = Ok("predict", "--model", model, "--input", input).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("labels,p_hot,p_wet,p_windy", rows[0]);
        Assert.StartsWith("hot;wet;windy,", rows[1], StringComparison.Ordinal);
        File.WriteAllText(input, "x,y,tags\n2,2,hot;snowy\n");
        AssertUserError(Run("predict", "--model", model, "--input", input), "in.csv:2:3: unknown label 'snowy' in column 'tags' (the model knows hot, wet, windy)");
    }

    [Fact]
    public void A_conv_spec_trains_on_images_as_channels_and_evaluates_from_the_file()
    {
        string dir = Path.Combine(LayeringTests.RepoRoot(), "..", "shared", "data", "fashion-mnist");
        string data = "idx:" + Path.Combine(dir, "t10k-images-idx3-ubyte.gz") + "," + Path.Combine(dir, "t10k-labels-idx1-ubyte.gz");
        string model = P("cnn.safetensors");
        var last = LastJson(Ok("train", "--data", data, "--model", "conv(4,3,relu) maxpool(2) flatten", "--limit", "600", "--epochs", "2", "--out", model, "--json"));
        Assert.Equal(4 * 9 + 4 + 4 * 13 * 13 * 10 + 10, last.GetProperty("parameters").GetInt32());
        Assert.True(last.GetProperty("test_accuracy").GetDouble() > 0.4, last.ToString()); // 10 classes: chance is 0.1
        var info = ModelFile.Load(model).Info;
        Assert.Equal([1, 1, 28, 28], info.InputShape);
        Assert.Equal("conv(4,3,relu) maxpool(2) flatten dense(10)", info.Architecture);
        var e = LastJson(Ok("evaluate", "--model", model, "--json"));
        Assert.Equal(last.GetProperty("test_accuracy").GetDouble(), e.GetProperty("test_accuracy").GetDouble(), 6);
    }

    [Fact]
    public void On_a_terminal_each_epoch_gets_a_live_progress_bar_and_the_summary_is_a_table()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 120; // a StringWriter has no window: give it a terminal's size
        console.Profile.Height = 40;
        var errors = new StringWriter(CultureInfo.InvariantCulture);
        int code = NablaCommand.Run(["train", "--data", "iris", "--epochs", "3"], new CliContext(output, errors, console));
        Assert.True(code == 0, errors.ToString());
        string text = output.ToString();
        Assert.Contains("\u001b[?25l", text, StringComparison.Ordinal); // the live display hides the cursor while it redraws
        for (int epoch = 1; epoch <= 3; epoch++) Assert.Contains($"epoch {epoch}/3  loss ", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
        Assert.Contains("━", text, StringComparison.Ordinal);
        Assert.Contains("test_accuracy", text, StringComparison.Ordinal);
        Assert.Contains("┌", text, StringComparison.Ordinal); // Spectre tables, not the plain-text summary
        Assert.DoesNotContain("\nsummary\n", text, StringComparison.Ordinal);
    }
}
