using System.Globalization;
using Nabla.Tensors;
using Nabla.Tests.Onnx;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla export</c>: the ONNX file, run in ONNX Runtime on raw rows, predicts what <c>nabla predict</c> does.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_exported_iris_model_gives_the_probabilities_predict_prints()
    {
        string model = Path.Combine(_dir, "iris.safetensors"), onnx = Path.Combine(_dir, "iris.onnx"), rows = Path.Combine(_dir, "rows.csv");
        Cli.Ok("train", "--data", "iris", "--epochs", "3", "--model", "dense(8,relu) batchnorm", "--out", model, "--json");
        float[][] raw = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f], [5.9f, 3.0f, 4.2f, 1.5f]];
        File.WriteAllLines(rows, raw.Select(r => string.Join(',', r.Select(v => v.ToString(CultureInfo.InvariantCulture)))));

        string said = Cli.Ok("export", "--model", model, "--onnx", onnx);
        Assert.Contains("ONNX opset 17, input 'input' [N, 4] (raw values)", said, StringComparison.Ordinal);

        var predicted = Cli.Ok("predict", "--model", model, "--input", rows).Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(line => line.Split(',')[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var x = Tensor.FromArray(raw.SelectMany(r => r).ToArray(), [3, 4]);
        var result = OnnxRuntimeRunner.Run(File.ReadAllBytes(onnx), x)["prediction"];
        OnnxRuntimeRunner.AssertClose(Tensor.FromArray(predicted.SelectMany(p => p).ToArray(), [3, 3]), result);
    }

    [Fact]
    public void A_missing_model_file_is_a_one_line_user_error()
    {
        var r = Cli.Run("export", "--model", Path.Combine(_dir, "none.safetensors"), "--onnx", Path.Combine(_dir, "x.onnx"));
        Cli.AssertUserError(r, "model file not found");
    }
}
