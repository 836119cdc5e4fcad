using Nabla.Nn;

namespace Nabla.Onnx;

/// <summary>
/// Writes one kind of layer as ONNX nodes. Each layer type has one small exporter (see
/// <see cref="OnnxExporters.BuiltIn"/>); a new layer kind adds its own, and user code can pass
/// exporters for its own modules in <see cref="OnnxExportOptions.Exporters"/>.
/// </summary>
public interface IOnnxLayerExporter
{
    /// <summary>The module type this exporter writes (subclasses use it too unless they have their own).</summary>
    Type LayerType { get; }

    /// <summary>
    /// Adds the nodes computing <paramref name="layer"/>'s inference output from <paramref name="input"/>
    /// to <paramref name="context"/> and returns the name of the output value.
    /// </summary>
    string Export(Module layer, OnnxValue input, OnnxExportContext context);
}

/// <summary>A typed <see cref="IOnnxLayerExporter"/>: implement <see cref="Export(T, OnnxValue, OnnxExportContext)"/>.</summary>
/// <typeparam name="T">The module type written.</typeparam>
public abstract class OnnxLayerExporter<T> : IOnnxLayerExporter where T : Module
{
    /// <inheritdoc/>
    public Type LayerType => typeof(T);

    /// <inheritdoc/>
    public string Export(Module layer, OnnxValue input, OnnxExportContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        return Export((T)layer, input, context);
    }

    /// <summary>Adds <paramref name="layer"/>'s nodes; returns the output value's name.</summary>
    public abstract string Export(T layer, OnnxValue input, OnnxExportContext context);
}
