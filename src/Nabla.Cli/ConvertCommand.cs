using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla convert --spec "…" --weights FILE --out MODEL</c>: a PyTorch state dict (safetensors) plus
/// the SPEC of its <c>nn.Sequential</c> twin becomes a Nabla model file, which <c>evaluate</c>,
/// <c>predict</c>, <c>inspect</c> and <c>export</c> read.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext ctx)
    {
        var spec = new Option<string>("--spec", "-s") { Description = "Model SPEC of the PyTorch nn.Sequential, output layer included, e.g. \"dense(16) relu batchnorm dense(3)\"", Required = true };
        var weights = new Option<string>("--weights", "-w") { Description = "The PyTorch state dict as safetensors (F32, F16, BF16, F64 or I64 tensors)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Write the Nabla model file here (atomically)", Required = true };
        var inputShape = new Option<string?>("--input-shape") { Description = "Shape of one input sample, e.g. 4 or 1,28,28 (default: read from the first dense layer's weight)" };
        var task = new Option<string?>("--task") { Description = "multiclass, binary, multilabel or regression (default: multiclass with several outputs, binary with one)" };
        var classes = new Option<string?>("--classes") { Description = "Comma-separated class or label names in output order (default: 0, 1, …)" };
        var scale = new Option<float>("--input-scale") { Description = "Factor applied to raw inputs before the network, e.g. 0.00392156863 (1/255) for images that PyTorch's ToTensor scaled", DefaultValueFactory = _ => 1f };
        var cmd = new Command("convert", "Make a Nabla model file from a PyTorch state dict (safetensors) and the model's SPEC") { spec, weights, output, inputShape, task, classes, scale };
        cmd.SetAction(r =>
        {
            string text = r.GetValue(spec)!, source = r.GetValue(weights)!, target = r.GetValue(output)!;
            float inputScale = r.GetValue(scale);
            NablaCommand.Require(inputScale > 0 && float.IsFinite(inputScale), $"--input-scale must be a positive number, got {inputScale}");
            if (!File.Exists(source)) throw new FileNotFoundException($"weights file not found: {Printable.Escape(source)}", source);
            OutputPaths.Check([new("--weights", source)], [new("--out", target)]);
            var shape = r.GetValue(inputShape) is { } given ? ParseShape(given)
                : PyTorchImport.InferInputShape(source, text)
                  ?? throw new UsageException($"--input-shape is needed: the first layer of \"{text}\" does not fix the input size (e.g. --input-shape 1,28,28 for 28×28 grey images)");
            var model = PyTorchImport.Load(source, text, shape);
            int outputs = ModelBuilder.OutputShape(model, shape)[-1];
            string kind = r.GetValue(task) is { } t ? TrainingSettings.ParseTask(t).ToName() : outputs == 1 ? "binary" : "multiclass";
            var names = Classes(r.GetValue(classes), kind, outputs);
            var info = new ModelInfo
            {
                Architecture = ModelSpec.Format(ModelSpec.Parse(text)), InputShape = shape.ToArray(), Task = kind, Classes = names,
                Thresholds = kind == "binary" ? [0.5f] : [], InputScale = inputScale,
                Extra = new Dictionary<string, string> { ["converted_from"] = Path.GetFileName(source) },
            };
            ModelFile.Save(target, model, info);
            ctx.Out.WriteLine($"converted {source} to {target}: {info.Architecture} on [N, {string.Join(", ", shape.ToArray()[1..])}], {model.ParameterCount().ToString("N0", CultureInfo.InvariantCulture)} parameters, {kind}, {outputs} output{(outputs == 1 ? "" : "s")}");
            return NablaCommand.Ok;
        });
        return cmd;
    }

    /// <summary>"4" or "1,28,28" (one sample) → [1, 4] or [1, 1, 28, 28].</summary>
    private static Shape ParseShape(string text)
    {
        var parts = text.Split([',', 'x', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dims = new List<int> { 1 };
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int d) || d < 1)
                throw new UsageException($"--input-shape '{text}': '{p}' is not a positive whole number (give one sample's shape, e.g. 4 or 1,28,28)");
            dims.Add(d);
        }
        NablaCommand.Require(parts.Length is >= 1 and <= 7, $"--input-shape '{text}' needs 1 to 7 sizes");
        return new Shape([.. dims]);
    }

    private static string[] Classes(string? given, string task, int outputs)
    {
        int expected = task switch { "binary" => 2, "regression" => 0, _ => outputs };
        if (given is null)
            return task == "regression" ? [] : [.. Enumerable.Range(0, expected).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        var names = given.Split(',', StringSplitOptions.TrimEntries);
        NablaCommand.Require(task != "regression", "--classes does not apply to a regression model");
        NablaCommand.Require(names.Length == expected && names.All(n => n.Length > 0),
            $"--classes names {names.Length} classes, the {task} model with {outputs} output{(outputs == 1 ? "" : "s")} needs {expected}");
        return names;
    }
}
