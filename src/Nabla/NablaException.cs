namespace Nabla;

/// <summary>
/// Base class of the errors Nabla raises for a user's mistake: a wrong shape, a malformed file, a
/// bad option. The message names the value, shape, file and line; the CLI prints it as one line.
/// </summary>
public class NablaException : Exception
{
    /// <summary>Creates an error with no message.</summary>
    public NablaException() { }

    /// <summary>Creates an error with a message that names the problem and where it is.</summary>
    public NablaException(string message) : base(message) { }

    /// <summary>Creates an error that wraps the exception that revealed it.</summary>
    public NablaException(string message, Exception innerException) : base(message, innerException) { }
}
