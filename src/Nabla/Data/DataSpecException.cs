namespace Nabla.Data;

/// <summary>
/// A data SPEC or data option that cannot be resolved: an unknown data set name, a malformed
/// <c>idx:</c> pair, a label column the file does not have, a task its labels cannot form.
/// </summary>
public class DataSpecException : NablaException
{
    /// <summary>Creates an error with no message.</summary>
    public DataSpecException() { }

    /// <summary>Creates an error such as <c>unknown data 'mnist' (known: digits, iris, …)</c>.</summary>
    public DataSpecException(string message) : base(message) { }

    /// <summary>Creates an error wrapping the one that revealed it.</summary>
    public DataSpecException(string message, Exception innerException) : base(message, innerException) { }
}
