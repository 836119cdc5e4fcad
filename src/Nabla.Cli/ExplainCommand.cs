using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla explain --example lecture</c> and <c>nabla explain --model FILE --input "x1,…" --target "…" [--lr η] [--json]</c>:
/// one training step of a small dense network with every number — net inputs and outputs, the
/// loss, every δ and ∂E/∂w, every updated weight — as the backpropagation lecture computes it by
/// hand. The numbers come from the library's <see cref="StepTrace"/>; this command only formats them.
/// </summary>
internal static class ExplainCommand
{
    /// <summary>The widest layer explain prints (every weight gets a line).</summary>
    public const int MaxUnits = 64;

    /// <summary>The examples <c>--example</c> knows.</summary>
    public static readonly string[] Examples = ["lecture"];

    private static readonly Type[] Activations =
        [typeof(ReLU), typeof(Sigmoid), typeof(Tanh), typeof(LeakyReLU), typeof(ELU), typeof(GELU), typeof(PReLU), typeof(Identity),
         typeof(Softmax), typeof(LogSoftmax), typeof(Step), typeof(Threshold)];

    public static Command Create(CliContext ctx)
    {
        var example = new Option<string?>("--example") { Description = "A built-in example: lecture (the 2-2-2 sigmoid network of the backpropagation lecture)" };
        var model = new Option<string?>("--model", "-m") { Description = $"A dense model file written by nabla train --out (up to {MaxUnits} units per layer)" };
        var input = new Option<string?>("--input", "-i") { Description = "The input sample, comma-separated raw feature values (standardized as in training)" };
        var target = new Option<string?>("--target", "-t") { Description = "The target: a class name or index (classification), 0/1 per label (multi-label), values (regression)" };
        var lr = new Option<float>("--lr") { Description = "Learning rate η of the plain gradient-descent step w⁺ = w − η·∂E/∂w", DefaultValueFactory = _ => LectureExample.LearningRate };
        var json = new Option<bool>("--json") { Description = "Print the full record as one JSON object" };
        var cmd = new Command("explain", "Show one backpropagation step of a small dense network with every number") { example, model, input, target, lr, json };
        cmd.SetAction(r =>
        {
            string? name = r.GetValue(example), path = r.GetValue(model), x = r.GetValue(input), y = r.GetValue(target);
            float eta = r.GetValue(lr);
            NablaCommand.Require(float.IsFinite(eta) && eta > 0, $"--lr must be a positive number, got {eta}");
            NablaCommand.Require(name is null || path is null, "give either --example or --model, not both");
            NablaCommand.Require(name is not null || path is not null, "explain needs --example lecture or --model FILE --input \"x1,x2,…\" --target \"…\"");
            Explained explained;
            if (name is not null)
            {
                NablaCommand.Require(Examples.Contains(name.Trim().ToLowerInvariant()), $"unknown example '{name}' (known: {string.Join(", ", Examples)})");
                NablaCommand.Require(x is null && y is null, "--input and --target go with --model; the lecture example has its own");
                explained = Lecture(eta);
            }
            else
            {
                NablaCommand.Require(x is not null && y is not null, "--model needs --input \"x1,x2,…\" and --target \"…\"");
                explained = FromFile(path!, x!, y!, eta);
            }
            if (r.GetValue(json)) ctx.Out.WriteLine(ExplainReport.Json(explained));
            else ExplainReport.Write(ctx.Out, explained);
            return NablaCommand.Ok;
        });
        return cmd;
    }

    /// <summary>The lecture's step (biases kept, as in the published walkthrough).</summary>
    internal static Explained Lecture(float eta)
    {
        var trace = LectureExample.Run(eta);
        return new Explained("lecture", trace, "E = Σ ½(target − out)²", eta, [.. trace.Target.ToArray().Select(Text)], null,
            [
                "one training step of the lecture's 2-2-2 sigmoid network (inputs 0.05, 0.10; targets 0.01, 0.99)",
                "the lecture's bias is one value per layer (b1 = 0.35, b2 = 0.6) that its walkthrough does not update; Nabla's dense",
                "layers have one bias per unit, set here to the layer's value, and the step leaves them unchanged as the lecture does",
                "(their gradients are shown)",
            ]);
    }

    /// <summary>A saved dense model's step on one sample.</summary>
    internal static Explained FromFile(string path, string inputText, string targetText, float eta)
    {
        var (model, info) = NablaCommand.LoadModel(path);
        CheckExplainable(model, path);
        int features = info.InputShape.Skip(1).Aggregate(1, (a, b) => a * b);
        var raw = Numbers("--input", inputText);
        NablaCommand.Require(raw.Length == features, $"--input has {raw.Length} value{(raw.Length == 1 ? "" : "s")}, {Path.GetFileName(path)} expects {features} input features");
        var x = Preparation.Standardize(Tensor.FromArray(raw, 1, features), info.InputMean, info.InputStd, info.InputScale);
        var task = TaskKinds.Parse(info.Task);
        var (target, shown) = Target(targetText, task, info, model, features);
        model.Train();
        var trace = StepTrace.Record(model, x, target, ModelPlan.LossFor(task), new SGD(model.Parameters(), eta));
        bool standardized = info.InputMean.Count > 0 || info.InputScale != 1f;
        return new Explained(Path.GetFileName(path), trace, LossText(task, info), eta, shown, standardized ? raw : null,
            [$"one training step of {Path.GetFileName(path)} ({info.Architecture}, {info.Task}) on one sample"]);
    }

    // Dense layers and activations only, none wider than MaxUnits: the printout has a line per weight.
    private static void CheckExplainable(Sequential model, string path)
    {
        string file = Path.GetFileName(path);
        int index = 0;
        foreach (var layer in model)
        {
            if (layer is Dense d)
            {
                int widest = Math.Max(d.InFeatures, d.OutFeatures);
                NablaCommand.Require(widest <= MaxUnits, $"explain prints every weight and takes dense layers of up to {MaxUnits} units; layer {index} of {file} is {d.Describe()}");
            }
            else
            {
                NablaCommand.Require(Array.IndexOf(Activations, layer.GetType()) >= 0, $"explain takes dense networks (dense layers and activations); layer {index} of {file} is {layer.Describe()}");
            }
            index++;
        }
    }

    // The target as the model's training loss takes it, and as the report shows it.
    private static (Tensor Target, string[] Shown) Target(string text, TaskKind task, ModelInfo info, Sequential model, int features)
    {
        int outputs = OutputCount(model, features);
        switch (task)
        {
            case TaskKind.MultiClass:
            case TaskKind.Binary:
            {
                string cell = text.Trim();
                int c = LabeledCsv.IndexOfClass(info.Classes, cell, numeric: true);
                if (c < 0 && int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < info.Classes.Count) c = i;
                NablaCommand.Require(c >= 0, $"--target must be one of the model's classes ({string.Join(", ", info.Classes)}) or a class index, got '{text}'");
                string shown = $"class {info.Classes[c]}";
                return task == TaskKind.MultiClass ? (Tensor.FromArray([c], 1), [shown]) : (Tensor.FromArray([c], 1, 1), [shown]);
            }
            case TaskKind.MultiLabel:
            {
                var v = Numbers("--target", text);
                NablaCommand.Require(v.Length == outputs && v.All(t => t is 0f or 1f), $"--target of this multi-label model is {outputs} values 0 or 1 (labels {string.Join(", ", info.Classes)}), got '{text}'");
                return (Tensor.FromArray(v, 1, outputs), [.. v.Select(Text)]);
            }
            default:
            {
                var v = Numbers("--target", text);
                NablaCommand.Require(v.Length == outputs, $"--target of this regression model is {outputs} value{(outputs == 1 ? "" : "s")}, got {v.Length}");
                var standardized = Preparation.Standardize(Tensor.FromArray(v, 1, outputs), info.TargetMean, info.TargetStd, 1f);
                return (standardized, [.. v.Select(Text)]);
            }
        }
    }

    private static int OutputCount(Sequential model, int features)
    {
        int width = features;
        foreach (var layer in model) if (layer is Dense d) width = d.OutFeatures;
        return width;
    }

    private static string LossText(TaskKind task, ModelInfo info) => task switch
    {
        TaskKind.MultiClass => "E = cross-entropy of softmax(out) against the target class (the model's training loss)",
        TaskKind.Regression => info.TargetMean.Count > 0
            ? "E = mean of (out − target)² on standardized targets (the model's training loss)"
            : "E = mean of (out − target)² (the model's training loss)",
        _ => "E = binary cross-entropy of sigmoid(out) against the target (the model's training loss)",
    };

    /// <summary>Comma-separated numbers, with an error naming the option and the bad entry.</summary>
    internal static float[] Numbers(string option, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            NablaCommand.Require(float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && float.IsFinite(values[i]),
                $"{option} takes numbers separated by commas; entry {i + 1} is '{parts[i]}'");
        return values;
    }

    internal static string Text(float v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A recorded step with what the report says about it.</summary>
/// <param name="Source">The example's name or the model file's name.</param>
/// <param name="Trace">The step.</param>
/// <param name="Loss">The loss as a formula or words.</param>
/// <param name="LearningRate">η.</param>
/// <param name="Target">The target as the user gave it (class name or values).</param>
/// <param name="RawInput">The input before standardization, or null when the model uses it as given.</param>
/// <param name="Header">Lines that introduce the step.</param>
internal sealed record Explained(string Source, StepTrace Trace, string Loss, float LearningRate, string[] Target, float[]? RawInput, string[] Header);
