namespace Nabla.Onnx;

/// <summary>Options of <see cref="OnnxExport"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Exporters for module types the built-in ones do not cover (or to replace one); looked up before
    /// <see cref="OnnxExporters.BuiltIn"/>.
    /// </summary>
    public IReadOnlyList<IOnnxLayerExporter> Exporters { get; init; } = [];

    /// <summary>The graph's name (<c>GraphProto.name</c>).</summary>
    public string GraphName { get; init; } = "nabla";
}
