namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>The row record a row-sparse backward rule keeps for this parameter's gradient, or null.</summary>
    internal SparseGradient? SparseGrad;

    /// <summary>
    /// The rows of <see cref="Grad"/> that may be non-zero, when the last backward pass wrote only
    /// some rows (an <c>Embedding</c>'s weight) and nothing has written the gradient since; every
    /// other row is exactly zero. False when the gradient is dense, absent, marked zero or was
    /// changed afterwards: then read <see cref="Grad"/> as a whole. See <see cref="SparseGradient"/>.
    /// </summary>
    /// <param name="rows">The row indices (ascending, distinct) along the first axis.</param>
    public bool TryGetGradRows(out ReadOnlySpan<int> rows)
    {
        if (SparseGrad is { } sparse && !_gradZeroPending && _grad is { } grad && sparse.Describes(grad))
        {
            rows = sparse.Rows;
            return true;
        }
        rows = default;
        return false;
    }
}
