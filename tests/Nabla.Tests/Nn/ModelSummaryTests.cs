using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class ModelSummaryTests
{
    [Fact]
    public void Summary_of_a_small_mlp_lists_layers_output_shapes_and_parameter_counts()
    {
        var rng = new Rng(1);
        var model = new Sequential(
            new Flatten(), new Dense(784, 256, rng), new ReLU(), new Dropout(0.2f, rng), new BatchNorm1d(256), new Dense(256, 10, rng));
        string text = model.Summary(new Shape(1, 28, 28));
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        AssertRow(lines, "0 Flatten", "[1, 784]", "0");
        AssertRow(lines, "1 Dense(784 → 256)", "[1, 256]", "200,960");
        AssertRow(lines, "2 ReLU", "[1, 256]", "0");
        AssertRow(lines, "3 Dropout(p=0.2)", "[1, 256]", "0");
        AssertRow(lines, "4 BatchNorm1d(256)", "[1, 256]", "512");
        AssertRow(lines, "5 Dense(256 → 10)", "[1, 10]", "2,570");
        Assert.Contains("Total params: 204,042", lines);
        Assert.Contains("Trainable params: 204,042", lines);
        Assert.Contains("Non-trainable params: 0", lines);
        Assert.Contains("Buffers (not trained): 513", lines);
        Assert.Equal(204_042, model.ParameterCount());
        // Summarizing ran in evaluation mode: training state and statistics are untouched.
        Assert.True(model[4].IsTraining);
        Assert.Equal(0, ((BatchNorm1d)model[4]).NumBatchesTracked);
    }

    [Fact]
    public void Summary_of_a_single_layer_is_one_row_and_an_unbuilt_lazy_model_says_to_build()
    {
        var text = new Dense(3, 2, new Rng(1)).Summary(new Shape(4, 3));
        Assert.Contains("Dense(3 → 2)", text, StringComparison.Ordinal);
        Assert.Contains("[4, 2]", text, StringComparison.Ordinal);
        Assert.Contains("Total params: 8", text, StringComparison.Ordinal);
        var lazy = new Sequential(new Dense(5));
        Assert.Contains("Build", Assert.Throws<InvalidOperationException>(() => lazy.Summary(new Shape(1, 3))).Message, StringComparison.Ordinal);
    }

    private static void AssertRow(string[] lines, string layer, string shape, string count)
    {
        var row = lines.SingleOrDefault(l => l.StartsWith(layer + " ", StringComparison.Ordinal));
        Assert.True(row is not null, $"no row for {layer} in:\n{string.Join('\n', lines)}");
        var cells = row![layer.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([shape.Split(' ')[0], shape.Split(' ')[1], count], cells);
    }
}
