using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Onnx.Exporters;
using Nabla.Tensors;
using Onnx;

namespace Nabla.Onnx;

/// <summary>
/// Writes Nabla models as ONNX (IR version 8, opset 17) so ONNX Runtime and other deployment targets
/// run them. The graph takes input <c>input</c> [N, …] and gives <c>output</c>, what
/// <see cref="Module.Forward"/> returns in evaluation mode (dropout off, batch norm on its running
/// statistics). Exported with its <see cref="ModelInfo"/> (a model file), the graph takes raw inputs,
/// as the data file holds them: the preprocessing (scale, e.g. 1/255 for images, then (x − μ)/σ per
/// feature) comes first as nodes, and a second output <c>prediction</c> holds what <c>nabla predict</c>
/// reports — class probabilities (softmax), sigmoid probabilities (binary, multi-label) or values in
/// target units (regression). Weights are initializers named by their state-dict keys.
/// </summary>
/// <example><code>
/// var (model, info) = ModelFile.Load("digits.safetensors");
/// OnnxExport.Save("digits.onnx", model, info);                    // or OnnxExport.SaveModelFile(…)
/// OnnxExport.Save("net.onnx", net, new Shape(1, 3, 32, 32));      // any module, no preprocessing
/// </code></example>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graphs use.</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version written (IR 8 goes with opset 17).</summary>
    public const long IrVersion = 8;

    /// <summary>Name of the graph input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the network's raw output (logits or standardized values).</summary>
    public const string OutputName = "output";

    /// <summary>Name of the task-level output of a model exported with its <see cref="ModelInfo"/>.</summary>
    public const string PredictionName = "prediction";

    /// <summary>Name of a <see cref="Seq2SeqTransformer"/> graph's source-ids input.</summary>
    public const string SourceName = "source";

    /// <summary>Name of a <see cref="Seq2SeqTransformer"/> graph's target-ids input (the decoder's input, shifted right).</summary>
    public const string TargetName = "target";

    /// <summary>Exports the model file <paramref name="modelPath"/> (weights, architecture, preprocessing) to <paramref name="onnxPath"/>.</summary>
    /// <exception cref="ModelFileException">The model file is unreadable.</exception>
    /// <exception cref="OnnxExportException">A layer has no exporter.</exception>
    public static void SaveModelFile(string modelPath, string onnxPath, OnnxExportOptions? options = null)
    {
        var (model, info) = ModelFile.Load(modelPath);
        Save(onnxPath, model, info, options);
    }

    /// <summary>Writes <paramref name="model"/> with its preprocessing and task output to <paramref name="path"/> (atomically).</summary>
    public static void Save(string path, Module model, ModelInfo info, OnnxExportOptions? options = null) =>
        WriteAtomically(path, ToBytes(model, info, options));

    /// <summary>Writes <paramref name="model"/> for inputs shaped like <paramref name="inputShape"/> (batch axis included; it becomes symbolic) to <paramref name="path"/>.</summary>
    public static void Save(string path, Module model, Shape inputShape, OnnxExportOptions? options = null) =>
        WriteAtomically(path, ToBytes(model, inputShape, options));

    /// <summary>The ONNX file's bytes for <paramref name="model"/> with its preprocessing and task output.</summary>
    public static byte[] ToBytes(Module model, ModelInfo info, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Build(model, new Shape(info.InputShape), info, options ?? new OnnxExportOptions()).ToByteArray();
    }

    /// <summary>The ONNX file's bytes for <paramref name="model"/> on inputs shaped like <paramref name="inputShape"/>.</summary>
    public static byte[] ToBytes(Module model, Shape inputShape, OnnxExportOptions? options = null) =>
        Build(model, inputShape, null, options ?? new OnnxExportOptions()).ToByteArray();

    /// <summary>
    /// The ONNX file's bytes for a <see cref="Seq2SeqTransformer"/>'s forward pass: inputs <c>source</c>
    /// [N, L_s] and <c>target</c> [N, L_t] (token ids as floats, shaped like <paramref name="sourceShape"/>
    /// and <paramref name="targetShape"/>, batch axis symbolic), output <c>output</c>, the logits
    /// [N, L_t, target vocabulary] that <see cref="Seq2SeqTransformer.Forward(Tensor, Tensor)"/> returns
    /// (padding tokens masked, causal decoder). Decoding loops stay outside the graph.
    /// </summary>
    public static byte[] ToBytes(Seq2SeqTransformer model, Shape sourceShape, Shape targetShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (sourceShape.Rank != 2 || targetShape.Rank != 2)
            throw new ArgumentException($"Seq2SeqTransformer export needs source and target ids [N, L], got {sourceShape} and {targetShape}", nameof(sourceShape));
        return Build(model, [(SourceName, sourceShape), (TargetName, targetShape)], null, options ?? new OnnxExportOptions(),
            (context, inputs) => new OnnxValue(Seq2SeqTransformerExporter.Export(model, inputs[0], inputs[1], context),
                new Shape(1, targetShape[1], model.TargetVocabulary))).ToByteArray();
    }

    /// <summary>Writes <paramref name="model"/>'s forward pass (see <see cref="ToBytes(Seq2SeqTransformer, Shape, Shape, OnnxExportOptions?)"/>) to <paramref name="path"/>.</summary>
    public static void Save(string path, Seq2SeqTransformer model, Shape sourceShape, Shape targetShape, OnnxExportOptions? options = null) =>
        WriteAtomically(path, ToBytes(model, sourceShape, targetShape, options));

    internal static ModelProto Build(Module model, Shape inputShape, ModelInfo? info, OnnxExportOptions options)
    {
        if (inputShape.Rank < 1) throw new ArgumentException("the input shape needs a batch axis, e.g. [1, 784]", nameof(inputShape));
        return Build(model, [(InputName, inputShape)], info, options, (context, inputs) =>
            context.Export(model, info is null ? inputs[0] : Preprocess(context, inputs[0], info)));
    }

    // The graph around the nodes <paramref name="body"/> adds: inputs, model in evaluation mode, outputs, metadata.
    private static ModelProto Build(Module model, (string Name, Shape Shape)[] inputs, ModelInfo? info, OnnxExportOptions options,
        Func<OnnxExportContext, OnnxValue[], OnnxValue> body)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var graph = new GraphProto { Name = options.GraphName };
        var context = new OnnxExportContext(graph, t => OnnxExporters.Find(t, options.Exporters));
        var values = new OnnxValue[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            context.Reserve(inputs[i].Name);
            graph.Input.Add(ValueInfo(inputs[i].Name, inputs[i].Shape));
            values[i] = new OnnxValue(inputs[i].Name, inputs[i].Shape);
        }

        bool training = model.IsTraining;
        model.Eval();
        OnnxValue y;
        try
        {
            y = body(context, values);
        }
        finally
        {
            model.Train(training);
        }
        context.NamedNode("Identity", [y.Name], OutputName);
        graph.Output.Add(ValueInfo(OutputName, y.Shape));
        if (info is not null)
        {
            Postprocess(context, y, info);
            graph.Output.Add(ValueInfo(PredictionName, y.Shape));
        }

        var proto = new ModelProto
        {
            IrVersion = IrVersion, ProducerName = "Nabla", ProducerVersion = ModelFile.Version, Graph = graph,
            DocString = info is null ? model.Describe() : $"Nabla model {info.Architecture} ({info.Task})",
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        if (info is not null) AddMetadata(proto, info);
        return proto;
    }

    // Raw input → what the network was trained on: x·scale, then (x − μ)/σ per feature.
    private static OnnxValue Preprocess(OnnxExportContext context, OnnxValue x, ModelInfo info)
    {
        string v = x.Name;
        if (info.InputScale != 1f) v = context.Node("Mul", [v, context.Constant(info.InputScale)]);
        if (info.InputMean.Count > 0)
        {
            int f = info.InputMean.Count;
            v = context.Node("Sub", [v, context.Initializer("input_mean", info.InputMean.ToArray(), f)]);
            v = context.Node("Div", [v, context.Initializer("input_std", info.InputStd.ToArray(), f)]);
        }
        return x with { Name = v };
    }

    // The network's output → what `nabla predict` reports for the task.
    private static void Postprocess(OnnxExportContext context, OnnxValue y, ModelInfo info)
    {
        switch (info.Task)
        {
            case "multiclass":
                context.NamedNode("Softmax", [y.Name], PredictionName, OnnxAttribute.Int("axis", -1));
                break;
            case "binary" or "multilabel":
                context.NamedNode("Sigmoid", [y.Name], PredictionName);
                break;
            default:
                if (info.TargetMean.Count == 0)
                {
                    context.NamedNode("Identity", [y.Name], PredictionName);
                    break;
                }
                int k = info.TargetMean.Count;
                string scaled = context.Node("Mul", [y.Name, context.Initializer("target_std", info.TargetStd.ToArray(), k)]);
                context.NamedNode("Add", [scaled, context.Initializer("target_mean", info.TargetMean.ToArray(), k)], PredictionName);
                break;
        }
    }

    private static void AddMetadata(ModelProto proto, ModelInfo info)
    {
        void Add(string key, string value) => proto.MetadataProps.Add(new StringStringEntryProto { Key = "nabla." + key, Value = value });
        Add("architecture", info.Architecture);
        Add("task", info.Task);
        Add("classes", JsonSerializer.Serialize(info.Classes));
        Add("thresholds", JsonSerializer.Serialize(info.Thresholds));
        Add("input_scale", info.InputScale.ToString("R", CultureInfo.InvariantCulture));
    }

    // The batch axis is symbolic ("N"); the others are fixed by the model.
    private static ValueInfoProto ValueInfo(string name, Shape shape)
    {
        var dims = new TensorShapeProto();
        for (int i = 0; i < shape.Rank; i++)
            dims.Dim.Add(i == 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = dims } },
        };
    }

    private static void WriteAtomically(string path, byte[] bytes) =>
        AtomicFile.Write(path, stream => stream.Write(bytes));
}
