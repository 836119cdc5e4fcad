namespace Nabla.Tensors;

/// <summary>Operand shapes do not fit an operation; the message names the operation and the shapes.</summary>
public class ShapeMismatchException : NablaException
{
    /// <summary>Creates an error with no message.</summary>
    public ShapeMismatchException() { }

    /// <summary>Creates an error such as <c>matmul: shapes [2, 3] and [4, 5] do not fit</c>.</summary>
    public ShapeMismatchException(string message) : base(message) { }

    /// <summary>Creates an error that wraps another.</summary>
    public ShapeMismatchException(string message, Exception innerException) : base(message, innerException) { }
}
