namespace Nabla.Data;

/// <summary>A data file is malformed; the message names the file, line and column (<c>iris.csv:12:3: …</c>).</summary>
public class DataFormatException : NablaException
{
    /// <summary>Creates an error with no message.</summary>
    public DataFormatException() { }

    /// <summary>Creates an error with a message naming where the problem is.</summary>
    public DataFormatException(string message) : base(message) { }

    /// <summary>Creates an error wrapping the one that revealed it.</summary>
    public DataFormatException(string message, Exception innerException) : base(message, innerException) { }
}
