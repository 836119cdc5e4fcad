using Nabla.Nn;
using Nabla.Onnx.Exporters;

namespace Nabla.Onnx;

/// <summary>
/// The registry of layer exporters: one small <see cref="IOnnxLayerExporter"/> per module type. A new
/// layer kind in the library adds its exporter to <see cref="BuiltIn"/> (a test checks that every
/// public layer type has one); code with its own modules passes exporters in
/// <see cref="OnnxExportOptions.Exporters"/> instead of changing any global state.
/// </summary>
public static class OnnxExporters
{
    /// <summary>The exporters of Nabla's own modules.</summary>
    public static IReadOnlyList<IOnnxLayerExporter> BuiltIn { get; } =
    [
        new SequentialExporter(),
        new FunctionalModelExporter(),
        new DenseExporter(),
        new PerceptronExporter(),
        new Conv1dExporter(),
        new Conv2dExporter(),
        new ConvTranspose2dExporter(),
        new UpsampleExporter(),
        new MaxPool1dExporter(),
        new MaxPool2dExporter(),
        new AvgPool2dExporter(),
        new AdaptiveAvgPool2dExporter(),
        new GlobalAveragePooling2DExporter(),
        new BatchNormExporter(),
        new FlattenExporter(),
        new DropoutExporter(),
        new IdentityExporter(),
        new ElementwiseExporter<ReLU>("Relu"),
        new ElementwiseExporter<Sigmoid>("Sigmoid"),
        new ElementwiseExporter<Tanh>("Tanh"),
        new LeakyReLUExporter(),
        new ELUExporter(),
        new GELUExporter(),
        new PReLUExporter(),
        new StepExporter(),
        new ThresholdExporter(),
        new SoftmaxExporter(),
        new LogSoftmaxExporter(),
        new EmbeddingExporter(),
        new GlobalAveragePooling1DExporter(),
        new GlobalMaxPooling1DExporter(),
        new RecurrentExporter(),
        new LayerNormExporter(),
        new PositionalEncodingExporter(),
        new MultiheadAttentionExporter(),
        new TransformerEncoderLayerExporter(),
        new TransformerEncoderExporter(),
        new TransformerLanguageModelExporter(),
        new GCNConvExporter(),
        new SAGEConvExporter(),
        new GATConvExporter(),
    ];

    /// <summary>
    /// The exporter for <paramref name="layerType"/>: the one registered for the most derived type in
    /// its base-class chain (so <see cref="Linear"/> uses <see cref="Dense"/>'s), taking
    /// <paramref name="extra"/> before <see cref="BuiltIn"/> at the same type; null when there is none.
    /// </summary>
    public static IOnnxLayerExporter? Find(Type layerType, IReadOnlyList<IOnnxLayerExporter>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(layerType);
        for (var t = layerType; t is not null && t != typeof(Module) && t != typeof(object); t = t.BaseType)
        {
            if (extra is not null)
                foreach (var e in extra)
                    if (e.LayerType == t) return e;
            foreach (var e in BuiltIn)
                if (e.LayerType == t) return e;
        }
        return null;
    }
}
