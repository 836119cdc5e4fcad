using System.Globalization;
using Nabla.IO;
using Nabla.Tests.IO;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla convert</c>: a PyTorch state dict and its SPEC become a model file the other commands read.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-convert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_converted_pytorch_mlp_predicts_what_pytorch_predicted()
    {
        string model = Path.Combine(_dir, "mlp.safetensors"), rows = Path.Combine(_dir, "rows.csv");
        string said = Cli.Ok("convert", "--spec", "dense(16) relu batchnorm dense(3)", "--weights", PyTorchImportTests.Fixture("import_mlp_bf16.safetensors"),
            "--out", model, "--classes", "a,b,c");
        Assert.Contains("to " + model + ": dense(16) relu batchnorm dense(3) on [N, 4], 163 parameters, multiclass, 3 outputs", said, StringComparison.Ordinal);

        var io = Safetensors.Load(PyTorchImportTests.Fixture("import_io.safetensors")).Tensors;
        var x = io["mlp_x"].ToArray();
        File.WriteAllLines(rows, Enumerable.Range(0, 5).Select(i => string.Join(',', x[(4 * i)..(4 * i + 4)].Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        var lines = Cli.Ok("predict", "--model", model, "--input", rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("class,p_a,p_b,p_c", lines[0]);
        var logits = io["mlp_bf16_y"].ToArray();
        for (int i = 0; i < 5; i++)
        {
            var z = logits[(3 * i)..(3 * i + 3)];
            float max = z.Max();
            var p = z.Select(v => MathF.Exp(v - max)).ToArray();
            float sum = p.Sum();
            var printed = lines[i + 1].Split(',')[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            for (int c = 0; c < 3; c++) Assert.True(MathF.Abs(p[c] / sum - printed[c]) <= 1e-5f, $"row {i}, class {c}");
            Assert.Equal(new[] { "a", "b", "c" }[Array.IndexOf(p, p.Max())], lines[i + 1].Split(',')[0]);
        }
        Assert.Contains("converted_from", Cli.Ok("inspect", model), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cnn_needs_its_input_shape_and_converts_with_it()
    {
        string weights = PyTorchImportTests.Fixture("import_cnn.safetensors"), model = Path.Combine(_dir, "cnn.safetensors");
        const string spec = "conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dense(3)";
        Cli.AssertUserError(Cli.Run("convert", "--spec", spec, "--weights", weights, "--out", model), "--input-shape is needed");
        Cli.Ok("convert", "--spec", spec, "--weights", weights, "--out", model, "--input-shape", "1,8,8", "--input-scale", "0.00392156863");
        var (_, info) = ModelFile.Load(model);
        Assert.Equal([1, 1, 8, 8], info.InputShape);
        Assert.Equal(1f / 255, info.InputScale, 1e-9f);
    }

    [Fact]
    public void Evaluate_and_predict_on_a_plain_state_dict_point_to_convert()
    {
        string weights = PyTorchImportTests.Fixture("import_mlp.safetensors");
        Cli.AssertUserError(Cli.Run("predict", "--model", weights, "--input", weights), "is a plain state dict (e.g. PyTorch's), not a Nabla model file: make one with nabla convert --spec");
        Cli.AssertUserError(Cli.Run("evaluate", "--model", weights), "nabla convert --spec \"SPEC\" --weights");
    }

    [Fact]
    public void Mistakes_are_one_line_user_errors()
    {
        string weights = PyTorchImportTests.Fixture("import_mlp.safetensors"), model = Path.Combine(_dir, "m.safetensors");
        Cli.AssertUserError(Cli.Run("convert", "--spec", "dense(16) relu dense(3)", "--weights", weights, "--out", model), "the state dict does not match");
        Cli.AssertUserError(Cli.Run("convert", "--spec", "dense(16) relu batchnorm dense(3)", "--weights", weights, "--out", model, "--classes", "a,b"), "--classes names 2 classes");
        Cli.AssertUserError(Cli.Run("convert", "--spec", "dense(16) relu batchnorm dense(3)", "--weights", Path.Combine(_dir, "none"), "--out", model), "weights file not found");
        Cli.AssertUserError(Cli.Run("convert", "--spec", "dense(16) relu batchnorm dense(3)", "--weights", weights, "--out", model, "--input-shape", "4,-1"), "is not a positive whole number");
        Assert.False(File.Exists(model));
    }
}
