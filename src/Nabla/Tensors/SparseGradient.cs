using System.Runtime.CompilerServices;

namespace Nabla.Tensors;

/// <summary>
/// Which rows of a 2-D parameter's gradient may be non-zero after a backward pass that wrote only
/// some rows (an embedding lookup writes the rows of the tokens in the batch). The gradient itself
/// stays an ordinary dense <see cref="Tensor.Grad"/> — every reader sees correct values, every other
/// row holding exact zeros — and this record lets a reader that knows it skip the zero rows.
/// </summary>
/// <remarks>
/// <para>Valid only while nothing else has written the gradient: it remembers the gradient tensor
/// and its <see cref="Tensor.Version"/> after the last write, and <see cref="Tensor.TryGetGradRows"/>
/// answers only when both still match. Any <see cref="Tensor.AsSpan"/> of the gradient (a dense
/// optimizer, gradient clipping, user code, another op adding into the same parameter's gradient)
/// moves the version, so the next reader falls back to the dense gradient and the next backward
/// pass clears the whole gradient instead of only these rows. Read the rows' values with
/// <see cref="Tensor.AsReadOnlySpan"/>, which keeps the record valid.</para>
/// <para>Where an optimizer may use it: a rule whose update of a row with zero gradient leaves
/// that row and its state unchanged — SGD without momentum and weight decay, Adagrad without
/// weight decay — gives the same numbers on these rows only. "Lazy" rules like
/// <c>torch.optim.SparseAdam</c> update only these rows by definition. Momentum, Adam/AdamW (their
/// moments decay on every row each step, PyTorch semantics) and weight decay touch every row and
/// read the dense gradient.</para>
/// </remarks>
public sealed class SparseGradient
{
    private readonly int[] _seen;
    private int _stamp;
    private int[] _rows = new int[64];
    private int _count;
    private Tensor? _grad;
    private int _version;
    private bool _valid;

    internal SparseGradient(int rowCount) => _seen = new int[rowCount];

    /// <summary>Number of rows of the parameter.</summary>
    public int RowCount => _seen.Length;

    /// <summary>The rows that may be non-zero, ascending, each once.</summary>
    internal ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    /// <summary>True when this record still describes <paramref name="grad"/> (same tensor, unchanged since the last write).</summary>
    internal bool Describes(Tensor grad) => _valid && ReferenceEquals(grad, _grad) && grad.Version == _version;

    /// <summary>
    /// Starts recording a backward write: a fresh row list when <paramref name="keepRows"/> is false
    /// (the gradient is being overwritten), else the current rows are kept and new ones added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Begin(bool keepRows)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_seen);
            _stamp = 1;
        }
        if (!keepRows) _count = 0;
        for (int i = 0; i < _count; i++) _seen[_rows[i]] = _stamp;
    }

    /// <summary>Notes that <paramref name="row"/> was written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(int row)
    {
        if (_seen[row] == _stamp) return;
        _seen[row] = _stamp;
        if (_count == _rows.Length) Array.Resize(ref _rows, Math.Min(_seen.Length, 2 * _rows.Length));
        _rows[_count++] = row;
    }

    /// <summary>Ends the write: the rows are sorted and the record is tied to <paramref name="grad"/>'s current version.</summary>
    internal void Complete(Tensor grad)
    {
        _rows.AsSpan(0, _count).Sort();
        _grad = grad;
        _version = grad.Version;
        _valid = true;
    }

    /// <summary>Forgets the rows: the gradient was written by something that did not record them.</summary>
    internal void Invalidate()
    {
        _valid = false;
        _grad = null;
        _count = 0;
    }
}
