namespace Nabla.IO;

/// <summary>A model file that is unreadable: truncated, corrupted, or not safetensors. The message names the file.</summary>
public class ModelFileException : NablaException
{
    /// <summary>Creates an error with no message.</summary>
    public ModelFileException() { }

    /// <summary>Creates an error such as <c>model.safetensors: truncated: header says 803,840 bytes, file has 4,096</c>.</summary>
    public ModelFileException(string message) : base(message) { }

    /// <summary>Creates an error wrapping the exception that revealed the problem.</summary>
    public ModelFileException(string message, Exception innerException) : base(message, innerException) { }
}
