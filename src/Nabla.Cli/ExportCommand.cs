using System.CommandLine;
using Nabla.Onnx;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla export --model FILE --onnx OUT.onnx</c>: writes a saved model as ONNX (opset 17) with its
/// preprocessing in the graph, so the ONNX model takes raw inputs; outputs <c>output</c> (the
/// network's) and <c>prediction</c> (probabilities or values in target units, as <c>predict</c> reports).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file written by nabla train --out or nabla convert", Required = true };
        var onnx = new Option<string>("--onnx") { Description = "Write the ONNX model here (atomically)", Required = true };
        var cmd = new Command("export", "Export a saved model to ONNX (opset 17; raw inputs, preprocessing included)") { model, onnx };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(model)!, target = r.GetValue(onnx)!;
            OutputPaths.Check([new("--model", path)], [new("--onnx", target)]);
            var (net, info) = NablaCommand.LoadModel(path);
            OnnxExport.Save(target, net, info);
            string sample = string.Join(", ", info.InputShape.Skip(1));
            // A model of text reads token ids: the vectorizer (tokenizer and vocabulary) is not part of the graph.
            string inputs = info.Vectorizer is null ? "raw values" : "token ids from the model's text vectorization, kept in the model file, not in the graph";
            ctx.Out.WriteLine($"exported {path} to {target}: ONNX opset {OnnxExport.Opset}, input '{OnnxExport.InputName}' [N, {sample}] ({inputs}), outputs '{OnnxExport.OutputName}' and '{OnnxExport.PredictionName}' ({PredictionText(info.Task)})");
            return NablaCommand.Ok;
        });
        return cmd;
    }

    private static string PredictionText(string task) => task switch
    {
        "multiclass" => "class probabilities",
        "binary" or "multilabel" => "sigmoid probabilities",
        _ => "values in target units",
    };
}
