using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Onnx;
using Nabla.Tensors;
using Onnx;
using static Nabla.Tests.Onnx.OnnxRuntimeRunner;

namespace Nabla.Tests.Onnx;

/// <summary>
/// A model exported with its <see cref="ModelInfo"/> takes raw inputs (the preprocessing is in the
/// graph) and its <c>prediction</c> output is what the task reports.
/// </summary>
public sealed class OnnxModelFileExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (Sequential Model, ModelInfo Info) Tabular(string task, int outputs, float[] targetMean, float[] targetStd)
    {
        var model = ModelBuilder.Build(ModelSpec.Parse($"dense(8,relu) batchnorm dense({outputs})"), new Shape(1, 3), new Rng(1));
        var info = new ModelInfo
        {
            Architecture = $"dense(8,relu) batchnorm dense({outputs})", InputShape = [1, 3], Task = task,
            Classes = task == "regression" ? [] : task == "binary" ? ["no", "yes"] : [.. Enumerable.Range(0, outputs).Select(i => $"c{i}")],
            InputMean = [10f, -3f, 0.5f], InputStd = [2f, 0.25f, 4f], TargetMean = targetMean, TargetStd = targetStd,
        };
        return (model, info);
    }

    // What the tool does before the network: (x·scale − μ)/σ per feature.
    private static Tensor Standardize(Tensor raw, ModelInfo info)
    {
        var v = raw.ToArray();
        int f = info.InputMean.Count;
        for (int i = 0; i < v.Length; i++)
            v[i] = f == 0 ? v[i] * info.InputScale : (v[i] * info.InputScale - info.InputMean[i % f]) / info.InputStd[i % f];
        return Tensor.FromArray(v, raw.Shape.ToArray());
    }

    private static Tensor RawRows(int n, ulong seed)
    {
        var x = Tensor.Randn(new Shape(n, 3), new Rng(seed)).ToArray();
        for (int i = 0; i < x.Length; i++) x[i] = x[i] * new[] { 2f, 0.25f, 4f }[i % 3] + new[] { 10f, -3f, 0.5f }[i % 3];
        return Tensor.FromArray(x, [n, 3]);
    }

    [Theory]
    [InlineData("multiclass", 4)]
    [InlineData("binary", 1)]
    [InlineData("multilabel", 3)]
    public void A_classifier_takes_raw_inputs_and_predicts_probabilities(string task, int outputs)
    {
        var (model, info) = Tabular(task, outputs, [], []);
        var raw = RawRows(6, 2);
        var logits = Forward(model, Standardize(raw, info));
        var result = Run(OnnxExport.ToBytes(model, info), raw);
        AssertClose(logits, result[OnnxExport.OutputName]);
        var probabilities = task == "multiclass" ? logits.Softmax(-1) : logits.Sigmoid();
        AssertClose(probabilities.Contiguous(), result[OnnxExport.PredictionName]);
    }

    [Fact]
    public void A_regression_model_predicts_in_target_units()
    {
        var (model, info) = Tabular("regression", 2, [100f, -5f], [20f, 0.5f]);
        var raw = RawRows(5, 3);
        var y = Forward(model, Standardize(raw, info)).ToArray();
        for (int i = 0; i < y.Length; i++) y[i] = y[i] * info.TargetStd[i % 2] + info.TargetMean[i % 2];
        var result = Run(OnnxExport.ToBytes(model, info), raw);
        AssertClose(Tensor.FromArray(y, [5, 2]), result[OnnxExport.PredictionName], tolerance: 1e-4f);   // values up to ~100: 1e-6 relative
    }

    [Fact]
    public void An_image_model_takes_raw_pixels_scaled_by_1_over_255_in_the_graph()
    {
        const string arch = "conv(4,3,pad=1,relu) maxpool(2) flatten dense(5)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 1, 6, 6), new Rng(4));
        var info = new ModelInfo { Architecture = arch, InputShape = [1, 1, 6, 6], Task = "multiclass", Classes = ["a", "b", "c", "d", "e"], InputScale = 1f / 255 };
        var pixels = Tensor.Rand(new Shape(3, 1, 6, 6), new Rng(5)) * 255f;
        var result = Run(OnnxExport.ToBytes(model, info), pixels);
        AssertClose(Forward(model, Standardize(pixels, info)), result[OnnxExport.OutputName]);
    }

    [Fact]
    public void A_saved_model_file_exports_with_weights_named_by_state_dict_keys_opset_17_and_its_metadata()
    {
        var (model, info) = Tabular("multiclass", 3, [], []);
        string file = Path.Combine(_dir, "m.safetensors"), onnx = Path.Combine(_dir, "m.onnx");
        ModelFile.Save(file, model, info);
        OnnxExport.SaveModelFile(file, onnx);

        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        Assert.Equal(8, proto.IrVersion);
        Assert.Equal(17, Assert.Single(proto.OpsetImport).Version);
        Assert.Equal("Nabla", proto.ProducerName);
        var names = proto.Graph.Initializer.Select(t => t.Name).ToHashSet();
        foreach (var key in model.StateDict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal))) Assert.Contains(key, names);
        Assert.Equal(["input"], proto.Graph.Input.Select(i => i.Name));
        Assert.Equal(["output", "prediction"], proto.Graph.Output.Select(o => o.Name));
        Assert.Equal("N", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        var meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(info.Architecture, meta["nabla.architecture"]);
        Assert.Equal("[\"c0\",\"c1\",\"c2\"]", meta["nabla.classes"]);

        var raw = RawRows(4, 6);
        AssertClose(Forward(model, Standardize(raw, info)), Run(File.ReadAllBytes(onnx), raw)[OnnxExport.OutputName]);
    }

    private sealed class Doubler : Module
    {
        public override Tensor Forward(Tensor input) => input * 2f;
    }

    private sealed class DoublerExporter : OnnxLayerExporter<Doubler>
    {
        public override string Export(Doubler layer, OnnxValue input, OnnxExportContext context) =>
            context.Node("Mul", [input.Name, context.Constant(2f)]);
    }

    [Fact]
    public void A_layer_without_exporter_is_named_and_an_exporter_passed_in_the_options_is_used()
    {
        var model = new Sequential(new Dense(3, 4, new Rng(7)), new Doubler());
        var e = Assert.Throws<OnnxExportException>(() => OnnxExport.ToBytes(model, new Shape(1, 3)));
        Assert.Contains("layer 1 (Doubler) has no ONNX exporter", e.Message, StringComparison.Ordinal);

        var bytes = OnnxExport.ToBytes(model, new Shape(1, 3), new OnnxExportOptions { Exporters = [new DoublerExporter()] });
        var x = Tensor.Randn(new Shape(2, 3), new Rng(8));
        AssertClose(Forward(model, x), Run(bytes, x)[OnnxExport.OutputName]);
    }
}
