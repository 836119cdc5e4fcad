namespace Nabla.IO;

/// <summary>A model SPEC string that cannot be parsed or built; the message names the column and the problem.</summary>
public class ModelSpecException : NablaException
{
    /// <summary>Creates an error with no message.</summary>
    public ModelSpecException() { }

    /// <summary>Creates an error such as <c>model spec, column 12: unknown layer 'dens'</c>.</summary>
    public ModelSpecException(string message) : base(message) { }

    /// <summary>Creates an error wrapping another.</summary>
    public ModelSpecException(string message, Exception innerException) : base(message, innerException) { }
}
