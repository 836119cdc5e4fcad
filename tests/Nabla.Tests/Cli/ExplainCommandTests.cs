using System.Text.Json;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla explain</c>: the lecture's walkthrough, any small saved dense model, and polite refusals.</summary>
public sealed class ExplainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-explain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string TrainIris(string model)
    {
        string path = Path.Combine(_dir, $"iris-{Guid.NewGuid():N}.safetensors");
        Ok("train", "--data", "iris", "--model", model, "--epochs", "2", "--out", path, "--json");
        return path;
    }

    private static string Line(string output, string start) =>
        output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(start, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no line starting with '{start}' in:\n{output}");

    private static List<string> Lines(string output, string start) =>
        [.. output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(start, StringComparison.Ordinal))];

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void The_lecture_example_prints_the_published_figures_layer_by_layer()
    {
        string o = Ok("explain", "--example", "lecture");
        // Forward: net and out per unit; the lecture prints out_o1 = 0.75136507, out_h1 = 0.593269992.
        Assert.Equal(["o1", "1.105906", "0.7513651"], Cells(Line(o, "o1 ")));
        Assert.Equal(["h1", "0.3775", "0.59327"], Cells(Line(o, "h1 ")));
        Assert.Equal("E = 0.2983711", Line(o, "E = "));
        // Updates: w5⁺ = 0.35891648, w1⁺ = 0.149780716, with the weights named and linked as in the lecture.
        Assert.Equal(["w5", "h1", "→", "o1", "0.4", "0.08216704", "0.3589165"], Cells(Line(o, "w5 ")));
        Assert.Equal(["w1", "i1", "→", "h1", "0.15", "0.0004385678", "0.1497807"], Cells(Line(o, "w1 ")));
        Assert.Equal(["w8", "h2", "→", "o2", "0.55", "-0.02274024", "0.5613701"], Cells(Line(o, "w8 ")));
        // The bias is shown with its gradient but, as in the lecture, not updated — and the output says so.
        Assert.Equal(["b(o1)", "1", "→", "o1", "0.6", "0.1384986", "0.6", "(not", "updated)"], Cells(Line(o, "b(o1)")));
        Assert.Contains("does not update", o, StringComparison.Ordinal);
        // Backward: ∂E/∂out_o1 = 0.74136507, ∂out_o1/∂net_o1 = 0.186815602, δ_o1 = 0.138498562.
        Assert.Equal(["o1", "0.7413651", "0.1868156", "0.1384986"], Cells(Lines(o, "o1 ")[1]));
        Assert.Equal("E after the update = 0.2910278 (before: 0.2983711)", Line(o, "E after"));
    }

    [Fact]
    public void The_json_record_has_every_layer_and_parameter_with_exact_values()
    {
        var j = LastJson(Ok("explain", "--example", "lecture", "--json"));
        Assert.Equal("explain", j.GetProperty("command").GetString());
        Assert.Equal(0.298371109, j.GetProperty("loss").GetDouble(), 7);
        Assert.Equal(0.5, j.GetProperty("learning_rate").GetDouble());
        var layers = j.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["Dense(2 → 2)", "Sigmoid", "Dense(2 → 2)", "Sigmoid"], layers.Select(l => l.GetProperty("description").GetString()));
        Assert.Equal(0.75136507, layers[3].GetProperty("output")[0].GetDouble(), 7);
        var w2 = layers[2].GetProperty("parameters")[0];
        Assert.Equal("2.weight", w2.GetProperty("name").GetString());
        Assert.Equal([2, 2], w2.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(0.35891648, w2.GetProperty("updated")[0].GetDouble(), 7);
        var b2 = layers[2].GetProperty("parameters")[1];
        Assert.Equal(0, b2.GetProperty("learning_rate").GetDouble());
        Assert.Equal(0.6, b2.GetProperty("updated")[0].GetDouble(), 6);
    }

    [Fact]
    public void A_saved_dense_model_is_explained_on_one_sample_with_its_training_loss()
    {
        string model = TrainIris("dense(5,relu)");
        var bytes = System.IO.File.ReadAllBytes(model);
        string o = Ok("explain", "--model", model, "--input", "5.1,3.5,1.4,0.2", "--target", "setosa", "--lr", "0.05");
        Assert.Contains("cross-entropy", o, StringComparison.Ordinal);
        Assert.Contains("(standardized as in training from 5.1, 3.5, 1.4, 0.2)", o, StringComparison.Ordinal);
        Assert.Equal("target  class setosa", Line(o, "target"));
        Assert.Equal(2, Lines(o, "h5 ").Count);                    // five hidden units, forward and backward
        Assert.Empty(Lines(o, "h6 "));
        Assert.Contains("w20", o, StringComparison.Ordinal);       // 4·5 weights in layer 1
        Assert.Contains("w35", o, StringComparison.Ordinal);       // and 5·3 in layer 2
        Assert.DoesNotContain("w36", o, StringComparison.Ordinal);

        var j = LastJson(Ok("explain", "--model", model, "--input", "5.1,3.5,1.4,0.2", "--target", "0", "--lr", "0.05", "--json"));
        // A small gradient step lowers the loss of the sample it was taken on.
        Assert.True(j.GetProperty("loss_after").GetDouble() < j.GetProperty("loss").GetDouble(), j.ToString());
        Assert.Equal([0f], j.GetProperty("target").EnumerateArray().Select(e => e.GetSingle()));
        // Explaining reads the file and never writes it.
        Assert.Equal(bytes, System.IO.File.ReadAllBytes(model));
    }

    [Fact]
    public void Wide_layers_and_other_layer_kinds_are_refused_in_one_line()
    {
        string wide = TrainIris("dense(65,relu)");
        AssertUserError(Run("explain", "--model", wide, "--input", "1,2,3,4", "--target", "setosa"),
            $"explain prints every weight and takes dense layers of up to 64 units; layer 0 of {Path.GetFileName(wide)} is Dense(4 → 65)");
        string dropout = TrainIris("dense(8,relu) dropout(0.2)");
        AssertUserError(Run("explain", "--model", dropout, "--input", "1,2,3,4", "--target", "setosa"),
            $"explain takes dense networks (dense layers and activations); layer 2 of {Path.GetFileName(dropout)} is Dropout");
    }

    [Fact]
    public void Bad_options_are_one_line_user_errors()
    {
        string model = TrainIris("dense(4,tanh)");
        AssertUserError(Run("explain"), "explain needs --example lecture or --model FILE");
        AssertUserError(Run("explain", "--example", "xor"), "unknown example 'xor' (known: lecture)");
        AssertUserError(Run("explain", "--example", "lecture", "--model", model), "give either --example or --model, not both");
        AssertUserError(Run("explain", "--example", "lecture", "--target", "1"), "--input and --target go with --model");
        AssertUserError(Run("explain", "--example", "lecture", "--lr", "0"), "--lr must be a positive number, got 0");
        AssertUserError(Run("explain", "--model", model, "--input", "1,2,3,4"), "--model needs --input");
        AssertUserError(Run("explain", "--model", model, "--input", "1,2,3", "--target", "setosa"), "--input has 3 values, iris");
        AssertUserError(Run("explain", "--model", model, "--input", "1,2,x,4", "--target", "setosa"), "--input takes numbers separated by commas; entry 3 is 'x'");
        AssertUserError(Run("explain", "--model", model, "--input", "1,2,3,4", "--target", "rose"), "--target must be one of the model's classes (setosa, versicolor, virginica) or a class index, got 'rose'");
        AssertUserError(Run("explain", "--model", Path.Combine(_dir, "missing.safetensors"), "--input", "1", "--target", "1"), "model file not found");
    }

    [Fact]
    public void A_larger_learning_rate_moves_the_weights_proportionally()
    {
        var slow = LastJson(Ok("explain", "--example", "lecture", "--json", "--lr", "0.5"));
        var fast = LastJson(Ok("explain", "--example", "lecture", "--json", "--lr", "1"));
        double Updated(JsonElement j) => j.GetProperty("layers")[2].GetProperty("parameters")[0].GetProperty("updated")[0].GetDouble();
        // w5⁺ = 0.4 − η·0.082167041
        Assert.Equal(0.4 - 0.082167041, Updated(fast), 6);
        Assert.Equal(0.4 - 0.5 * 0.082167041, Updated(slow), 6);
        Assert.Equal(1.0, fast.GetProperty("learning_rate").GetDouble());
    }
}
