namespace Nabla.Onnx;

/// <summary>A model that cannot be written as ONNX (a layer kind without an exporter); the message names the layer.</summary>
public class OnnxExportException : NablaException
{
    /// <summary>Creates an error with no message.</summary>
    public OnnxExportException() { }

    /// <summary>Creates an error such as <c>layer 3 (MyLayer) has no ONNX exporter</c>.</summary>
    public OnnxExportException(string message) : base(message) { }

    /// <summary>Creates an error wrapping the exception that revealed the problem.</summary>
    public OnnxExportException(string message, Exception innerException) : base(message, innerException) { }
}
