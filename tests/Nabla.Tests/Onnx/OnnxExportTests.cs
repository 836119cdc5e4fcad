using Nabla.IO;
using Nabla.Nn;
using Nabla.Onnx;
using Nabla.Tensors;
using static Nabla.Tests.Onnx.OnnxRuntimeRunner;

namespace Nabla.Tests.Onnx;

/// <summary>Each layer kind exported to ONNX and run in ONNX Runtime gives Nabla's outputs within 1e-5.</summary>
public sealed class OnnxExportTests
{
    private static void AssertExportMatches(Module model, Shape sampleShape, int batch = 3, ulong seed = 1)
    {
        var x = Tensor.Randn(new Shape([batch, .. sampleShape.ToArray()[1..]]), new Rng(seed));
        var expected = Forward(model, x);
        var outputs = Run(OnnxExport.ToBytes(model, sampleShape), x);
        AssertClose(expected, outputs[OnnxExport.OutputName]);
    }

    /// <summary>Moves batch-norm running statistics and every parameter away from their initial values.</summary>
    private static void Perturb(Module model, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var (name, t) in model.StateDict())
        {
            var span = t.AsSpan();
            if (name.EndsWith("running_var", StringComparison.Ordinal)) rng.FillUniform(span, 0.5f, 2f);
            else if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) span.Fill(7);
            else rng.FillUniform(span, -1f, 1f);
        }
    }

    [Fact]
    public void A_multilayer_perceptron_matches()
    {
        var model = new Sequential(new Dense(5, 16, new Rng(1)), new ReLU(), new Dense(16, 8, new Rng(2), bias: false), new Tanh(), new Linear(8, 3, new Rng(3)));
        AssertExportMatches(model, new Shape(1, 5));
    }

    [Fact]
    public void A_dense_layer_on_sequences_and_a_keras_style_activation_child_match()
    {
        var model = new Sequential(new Dense(6, "gelu"), new Dense(4, "sigmoid")).Build(new Shape(1, 7, 5), new Rng(4));
        AssertExportMatches(model, new Shape(1, 7, 5));
    }

    [Fact]
    public void A_convolutional_network_with_batch_norm_and_every_2d_pooling_matches()
    {
        var model = new Sequential(
            new Conv2d(2, 4, (3, 3), new Rng(5), stride: (2, 1), padding: (1, 2), dilation: (1, 2)),
            new BatchNorm2d(4), new ReLU(),
            new MaxPool2d((3, 2), (1, 2), (1, 1)),
            new AvgPool2d(3, 1, padding: 1), new AvgPool2d(2, 1, padding: 1, countIncludePad: false),
            new Conv2d(4, 3, 1, new Rng(6), bias: false),
            new AdaptiveAvgPool2d((3, 2)), new Flatten(), new Dense(18, 5, new Rng(7)));
        Perturb(model, 8);
        AssertExportMatches(model, new Shape(1, 2, 11, 9));
    }

    [Theory]
    [InlineData(4, 6, 2, 3)]   // bins tile the input: AveragePool
    [InlineData(5, 7, 3, 2)]   // unequal bins: the averaging matrix
    [InlineData(5, 7, 1, 1)]   // GlobalAveragePool
    public void Adaptive_average_pooling_matches_for_even_and_uneven_bins(int h, int w, int oh, int ow) =>
        AssertExportMatches(new Sequential(new AdaptiveAvgPool2d((oh, ow))), new Shape(1, 3, h, w));

    [Fact]
    public void Global_average_pooling_and_flatten_from_axis_2_match()
    {
        AssertExportMatches(new Sequential(new GlobalAveragePooling2D(), new Dense(3, 2, new Rng(9))), new Shape(1, 3, 5, 4));
        AssertExportMatches(new Sequential(new Flatten(2)), new Shape(1, 3, 5, 4));
    }

    [Fact]
    public void A_1d_convolutional_network_with_batch_norm_and_max_pooling_matches()
    {
        var model = new Sequential(new Conv1d(3, 5, 3, new Rng(10), stride: 2, padding: 2, dilation: 2), new BatchNorm1d(5), new ELU(0.7f),
            new MaxPool1d(3, 2, padding: 1), new Flatten(), new Dense(25, 2, new Rng(11)));
        Perturb(model, 12);
        AssertExportMatches(model, new Shape(1, 3, 17));
    }

    [Fact]
    public void Batch_norm_on_features_with_and_without_affine_parameters_and_dropout_in_inference_match()
    {
        var model = new Sequential(new Dense(4, 6, new Rng(13)), new BatchNorm1d(6), new Dropout(0.5f, new Rng(14)), new BatchNorm1d(6, affine: false), new Dense(6, 2, new Rng(15)));
        Perturb(model, 16);
        model.Train();   // the exporter writes the inference graph whatever the mode, and leaves the mode alone
        var bytes = OnnxExport.ToBytes(model, new Shape(1, 4));
        Assert.True(model.IsTraining);
        var x = Tensor.Randn(new Shape(6, 4), new Rng(17));
        AssertClose(Forward(model, x), Run(bytes, x)[OnnxExport.OutputName]);
    }

    public static TheoryData<string> Activations => ["relu", "sigmoid", "tanh", "gelu", "elu", "elu(0.4)", "leaky_relu", "leaky_relu(0.2)",
        "prelu", "softmax", "log_softmax", "identity", "step", "threshold(0.1,-2)"];

    [Theory]
    [MemberData(nameof(Activations))]
    public void Every_activation_matches(string spec)
    {
        var model = ModelBuilder.Build(ModelSpec.Parse($"dense(7) {spec}"), new Shape(1, 4), new Rng(17));
        Perturb(model, 18);
        AssertExportMatches(model, new Shape(1, 4), batch: 5);
    }

    [Fact]
    public void Per_channel_prelu_and_softmax_over_the_channel_axis_match()
    {
        var model = new Sequential(new Conv2d(2, 3, 3, new Rng(19), padding: 1), new PReLU(3), new Softmax(1), new LogSoftmax(2));
        Perturb(model, 20);
        AssertExportMatches(model, new Shape(1, 2, 4, 5));
    }

    [Fact]
    public void The_perceptron_matches()
    {
        var model = new Perceptron(3);
        Perturb(model, 21);
        AssertExportMatches(model, new Shape(1, 3), batch: 8);
    }

    /// <summary>
    /// The public module types with no single-input forward pass: <c>Forward(Tensor)</c> throws because the
    /// module is a plain list (<see cref="ModuleList"/>) or needs a second input (the decoder's memory, a
    /// source and a target). An exported graph has one input and a layer exporter maps one value to one,
    /// so these have no layer exporter; the models that contain them export whole (<see cref="TransformerEncoder"/>
    /// holds its layers in a ModuleList; a <see cref="Nabla.Nn.Generation.Seq2SeqTransformer"/>, which holds a
    /// Transformer, has its own two-input entry point <c>OnnxExport.ToBytes(model, sourceShape, targetShape)</c>).
    /// </summary>
    private static readonly Dictionary<Type, Func<Module>> WithoutSingleInputForward = new()
    {
        [typeof(ModuleList)] = () => new ModuleList(new ReLU()),
        [typeof(TransformerDecoderLayer)] = () => new TransformerDecoderLayer(4, 2, new Rng(1), 8),
        [typeof(TransformerDecoder)] = () => new TransformerDecoder(_ => new TransformerDecoderLayer(4, 2, new Rng(1), 8), 1),
        [typeof(Transformer)] = () => new Transformer(4, 2, new Rng(1), 1, 1, 8),
        [typeof(Nabla.Nn.Generation.Seq2SeqTransformer)] = () => new Nabla.Nn.Generation.Seq2SeqTransformer(5, 5, 4, 2, new Rng(1), (v, d) => new Embedding(v, d, new Rng(2)), 1, 1, 8),
    };

    [Fact]
    public void A_dcgan_style_generator_with_transposed_convolutions_matches()
    {
        var model = new Sequential(
            new ConvTranspose2d(4, 6, (3, 2), new Rng(22), stride: (2, 3), padding: (1, 0), outputPadding: (1, 2), dilation: (1, 2)),
            new BatchNorm2d(6), new ReLU(),
            new ConvTranspose2d(6, 4, 4, new Rng(23), stride: 2, padding: 1, groups: 2, bias: false), new Tanh());
        Perturb(model, 24);
        AssertExportMatches(model, new Shape(1, 4, 3, 5));
    }

    public static TheoryData<string, bool, bool> UpsampleCases => new()
    {
        { "nearest", false, false }, { "nearest", true, false },
        { "bilinear", false, false }, { "bilinear", true, false }, { "bilinear", false, true }, { "bilinear", true, true },
    };

    [Theory]
    [MemberData(nameof(UpsampleCases))]
    public void Upsampling_by_a_scale_or_to_a_size_matches(string mode, bool bySize, bool alignCorners)
    {
        var layer = bySize ? new Upsample((7, 10), (double?)null, mode, alignCorners ? true : null)
            : new Upsample(null, (2.0, 3.0), mode, alignCorners ? true : null);
        AssertExportMatches(new Sequential(new Conv2d(2, 3, 1, new Rng(25)), layer), new Shape(1, 2, 4, 5));
    }

    [Fact]
    public void Every_public_layer_type_of_the_library_has_an_exporter()
    {
        var missing = typeof(Module).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t.IsSubclassOf(typeof(Module)) && OnnxExporters.Find(t) is null && !WithoutSingleInputForward.ContainsKey(t))
            .Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0,
            $"no ONNX exporter for {string.Join(", ", missing)}: add an exporter under src/Nabla.Onnx/Exporters and list it in OnnxExporters.BuiltIn");
    }

    [Fact]
    public void The_types_left_without_an_exporter_really_have_no_single_input_forward_pass()
    {
        foreach (var (type, create) in WithoutSingleInputForward)
        {
            var module = create();
            Assert.IsType(type, module);
            Assert.Null(OnnxExporters.Find(type));
            Assert.Throws<InvalidOperationException>(() => module.Forward(Tensor.Zeros(new Shape(1, 3, 4))));
            var e = Assert.Throws<OnnxExportException>(() => OnnxExport.ToBytes(new Sequential(module), new Shape(1, 3, 4)));
            Assert.Contains("has no ONNX exporter", e.Message, StringComparison.Ordinal);
        }
    }
}
