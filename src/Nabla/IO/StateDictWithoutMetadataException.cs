namespace Nabla.IO;

/// <summary>
/// A safetensors file that holds tensors but no Nabla metadata — typically a PyTorch
/// <c>state_dict()</c> — opened as a model file. <see cref="PyTorchImport"/> turns it into a model
/// given the architecture's SPEC.
/// </summary>
public class StateDictWithoutMetadataException : ModelFileException
{
    /// <summary>Creates an error with no message.</summary>
    public StateDictWithoutMetadataException() { }

    /// <summary>Creates an error naming the file.</summary>
    public StateDictWithoutMetadataException(string message) : base(message) { }

    /// <summary>Creates an error wrapping the exception that revealed the problem.</summary>
    public StateDictWithoutMetadataException(string message, Exception innerException) : base(message, innerException) { }
}
