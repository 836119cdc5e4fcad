using System.Runtime.CompilerServices;

namespace Nabla.Tensors;

/// <summary>
/// An n-dimensional array of float32 values: a shape, strides and a managed buffer, plus the
/// bookkeeping reverse-mode autodiff needs (<see cref="RequiresGrad"/>, <see cref="Grad"/>).
/// </summary>
/// <remarks>
/// Tensors never need disposing: a tensor that is dropped is reclaimed by the GC. Operations live
/// in <c>Nabla.Autograd</c> as extension members (<c>a + b</c>, <c>x.MatMul(w)</c>, <c>x.Relu()</c>) so
/// that every operation records its backward rule. Inside a <see cref="TensorScope"/> the tensors
/// an operation creates come from pools and go back to them when the scope ends.
/// </remarks>
public sealed partial class Tensor
{
    // Null once the scope that owned the storage has ended: every read and write goes through
    // Buffer, which then throws instead of reaching memory that another tensor may now use.
    private float[]? _buffer = [];
    internal int Offset;
    private Shape _shape;
    private Shape _strides;
    private bool _requiresGrad;

    /// <summary>The tensor whose buffer this view shares, or null when the tensor owns its buffer.</summary>
    internal Tensor? ViewOf;
    /// <summary>True when <see cref="Buffer"/> came from <see cref="BufferPool"/> and goes back when the owning scope ends.</summary>
    internal bool BufferPooled;
    /// <summary>The scope that recycles this tensor's storage when it ends, or null for a tensor the GC owns.</summary>
    internal TensorScope? Scope;
    internal bool Kept;
    // Which scope ended this tensor's life, for the message of ObjectDisposedException.
    private long _endedScopeId;
    private string? _endedScopeName;

    /// <summary>The operation that produced this tensor, when it was recorded for backward.</summary>
    internal GradFunction? GradFn;
    /// <summary>Set when backward released the graph that produced this tensor.</summary>
    internal bool GraphReleased;

    private Tensor() { }

    /// <summary>
    /// The storage. Throws <see cref="ObjectDisposedException"/> once the scope that owned it has
    /// ended, so a handle kept by mistake can never read or write memory that now holds other data.
    /// </summary>
    internal float[] Buffer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _buffer ?? ThrowEnded();
    }

    /// <summary>True once the scope that owned this tensor has ended; any use then throws.</summary>
    public bool IsDisposed => _buffer is null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private float[] ThrowEnded() =>
        throw new ObjectDisposedException(nameof(Tensor),
            $"a tensor of shape {_shape} was used after {TensorScope.Describe(_endedScopeId, _endedScopeName)} ended; call TensorScope.Keep(tensor) inside the scope to use it afterwards, or copy out its values (ToArray()) before the scope ends");

    /// <summary>
    /// Ends this tensor's life (its scope ended): the buffer goes back to the pool when this tensor
    /// owns it, and every later use throws.
    /// </summary>
    internal void End(long scopeId, string? scopeName, bool returnBuffer)
    {
        if (returnBuffer && _buffer is { } buffer) BufferPool.Return(buffer);
        _buffer = null;
        _endedScopeId = scopeId;
        _endedScopeName = scopeName;
        Scope = null;
        ViewOf = null;
        _grad = null;
        // GradFn stays: a graph that still reaches this tensor must fail when backward gets here,
        // not treat it as a leaf and silently drop the gradient of everything behind it.
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> when the scope that owned this tensor has ended.</summary>
    internal void ThrowIfEnded()
    {
        if (_buffer is null) ThrowEnded();
    }

    /// <summary>The sizes of the dimensions.</summary>
    public Shape Shape => _shape;

    /// <summary>Element steps between neighbours along each dimension (0 along broadcast dimensions).</summary>
    public Shape Strides => _strides;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel => _shape.Numel;

    /// <summary>True when the elements are laid out row-major without gaps, so <see cref="AsSpan"/> works.</summary>
    public bool IsContiguous { get; private set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs you want the
    /// gradient of); results of operations on such tensors require grad automatically.
    /// </summary>
    /// <exception cref="InvalidOperationException">Changed on a tensor computed by a recorded operation.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
                throw new InvalidOperationException("RequiresGrad can only be turned off on a leaf tensor; use Detach() for a non-leaf tensor");
            _requiresGrad = value;
        }
    }

    /// <summary>The gradient accumulated by backward passes (same shape as this tensor), or null before the first.</summary>
    public Tensor? Grad
    {
        get
        {
            if (_gradZeroPending)
            {
                _gradZeroPending = false;
                _grad?.AsSpan().Clear();
            }
            return _grad;
        }
        set
        {
            _grad = value;
            _gradZeroPending = false;
        }
    }

    private Tensor? _grad;

    // Set by optimizers' and modules' ZeroGrad: the gradient is logically zero but its memory is
    // untouched. The next backward pass then writes it instead of adding to it (a GEMM with β = 0
    // never reads the old values), and any earlier read of Grad clears it first. Zeroing ~1 MB of
    // gradients that the other core's GEMM pieces just wrote cost 11 µs per MLP step on one
    // thread and 35–45 µs on two.
    private bool _gradZeroPending;

    /// <summary>Marks the gradient as zero without touching its memory (see <see cref="Grad"/>).</summary>
    internal void MarkGradZero() => _gradZeroPending = _grad is not null;

    /// <summary>The gradient for a backward rule to write: <paramref name="accumulate"/> is false when it was marked zero.</summary>
    internal Tensor? TakeGradForBackward(out bool accumulate)
    {
        accumulate = !_gradZeroPending;
        _gradZeroPending = false;
        return _grad;
    }

    /// <summary>True when no recorded operation produced this tensor (inputs, parameters, constants).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>The name of the backward rule that produced this tensor, like PyTorch's <c>grad_fn</c>, or null for a leaf.</summary>
    public string? GradFnName => GradFn?.Name;

    internal void SetRequiresGradInternal(bool value) => _requiresGrad = value;

    // The two lifetimes a tensor can have. Scoped: the result of an operation, recycled by the
    // current TensorScope (a GC object when there is none). Owned: anything that must outlive every
    // scope — parameters, gradients, optimizer state, the user's constants.

    /// <summary>
    /// A new <b>scoped</b> tensor, for an operation's result: inside a <see cref="TensorScope"/> its
    /// buffer comes from the pool and the tensor ends with the scope; outside any scope it is plain GC
    /// memory. Contents are unspecified unless <paramref name="zeroed"/>.
    /// </summary>
    internal static Tensor Scoped(Shape shape, bool zeroed = false)
    {
        var scope = TensorScope.Current;
        int n = shape.Numel;
        Tensor t;
        if (scope is null)
        {
            t = new Tensor { _buffer = n == 0 ? [] : zeroed ? new float[n] : GC.AllocateUninitializedArray<float>(n) };
        }
        else
        {
            // A new object every time, only the buffer is pooled: a handle that escapes the scope
            // then sees its own ended state, never another tensor's data.
            t = new Tensor { _buffer = BufferPool.Rent(n), BufferPooled = true };
            if (zeroed) t._buffer.AsSpan().Clear();
            scope.Track(t);
        }
        t.SetContiguousShape(shape);
        return t;
    }

    /// <summary>
    /// A new <b>owned</b> tensor, zero-filled plain GC memory that no scope recycles: parameters,
    /// gradients, optimizer state and the public creation functions' results.
    /// </summary>
    internal static Tensor Owned(Shape shape)
    {
        var t = new Tensor { _buffer = new float[shape.Numel] };
        t.SetContiguousShape(shape);
        return t;
    }

    [ThreadStatic] private static Stack<Tensor>? _workspacePool;

    /// <summary>
    /// A contiguous tensor for an engine's private use (gradient buffers during backward), pooled
    /// regardless of scopes; it must be given back with <see cref="ReturnWorkspace"/>.
    /// </summary>
    internal static Tensor RentWorkspace(Shape shape)
    {
        var pool = _workspacePool;
        var t = pool is { Count: > 0 } ? pool.Pop() : new Tensor();
        t._buffer = BufferPool.Rent(shape.Numel);
        t.Offset = 0;
        t.SetContiguousShape(shape);
        return t;
    }

    /// <summary>Returns a tensor obtained from <see cref="RentWorkspace"/>; nobody may use it afterwards.</summary>
    /// <remarks>
    /// Workspace objects are reused, unlike scoped tensors: they never leave the backward engine
    /// (a rule receives its output's gradient and must not keep it), so no handle can outlive them.
    /// </remarks>
    internal static void ReturnWorkspace(Tensor t)
    {
        BufferPool.Return(t.Buffer);
        t._buffer = [];
        t.Offset = 0;
        (_workspacePool ??= new Stack<Tensor>()).Push(t);
    }

    /// <summary>A view sharing <paramref name="source"/>'s buffer with another shape and strides.</summary>
    /// <remarks>
    /// The view lives exactly as long as the storage: it is tracked by the scope of the tensor
    /// that owns the buffer (not the current one), so it ends when that buffer is recycled, even
    /// when it was made in a nested or suspended scope.
    /// </remarks>
    internal static Tensor View(Tensor source, Shape shape, Shape strides, int offset)
    {
        var root = source.ViewOf ?? source;
        var t = new Tensor
        {
            _buffer = source.Buffer,
            Offset = offset,
            ViewOf = root,
            _shape = shape,
            _strides = strides,
        };
        t.IsContiguous = ComputeContiguous(shape, strides);
        root.Scope?.Track(t);
        return t;
    }

    private void SetContiguousShape(Shape shape)
    {
        _shape = shape;
        Span<int> s = stackalloc int[Shape.MaxRank];
        int step = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            s[i] = step;
            step *= shape[i];
        }
        _strides = new Shape(s[..shape.Rank]);
        IsContiguous = true;
    }

    private static bool ComputeContiguous(Shape shape, Shape strides)
    {
        int step = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            if (shape[i] != 1 && strides[i] != step) return false;
            step *= shape[i];
        }
        return true;
    }

    /// <summary>The elements as a span over the buffer; the tensor must be contiguous.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a non-contiguous view; call <c>Contiguous()</c> first.</exception>
    /// <remarks>
    /// The span may be written, so every call counts as a change of the data (see
    /// <see cref="Version"/>): write through a span taken after the last read by the library, not
    /// one kept from before it.
    /// </remarks>
    public Span<float> AsSpan()
    {
        if (!IsContiguous)
            throw new InvalidOperationException($"tensor of shape {_shape} with strides {_strides} is not contiguous; call Contiguous() first");
        MarkChanged();
        return Buffer.AsSpan(Offset, Numel);
    }

    /// <summary>The elements row-major in a new array (copies views too).</summary>
    public float[] ToArray()
    {
        var result = new float[Numel];
        CopyTo(result);
        return result;
    }

    /// <summary>Copies the elements row-major into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Numel)
            throw new ArgumentException($"destination holds {destination.Length} elements, tensor {_shape} has {Numel}", nameof(destination));
        if (IsContiguous)
        {
            Buffer.AsSpan(Offset, Numel).CopyTo(destination);
            return;
        }
        StridedCopy.Gather(Buffer, Offset, _shape, _strides, destination);
    }

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item()
    {
        if (Numel != 1)
            throw new InvalidOperationException($"Item() needs a tensor with one element, got shape {_shape}");
        return Buffer[Offset];
    }

    /// <summary>Reads or writes one element; negative indices count from the end of their dimension.</summary>
    [IndexerName("Element")]
    public float this[params ReadOnlySpan<int> index]
    {
        get => Buffer[ElementOffset(index)];
        set
        {
            Buffer[ElementOffset(index)] = value;
            MarkChanged();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ElementOffset(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"tensor of shape {_shape} needs {Rank} indices, got {index.Length}", nameof(index));
        int o = Offset;
        for (int i = 0; i < index.Length; i++)
        {
            int k = index[i] < 0 ? index[i] + _shape[i] : index[i];
            if ((uint)k >= (uint)_shape[i])
                throw new IndexOutOfRangeException($"index {index[i]} is out of range for dimension {i} of shape {_shape}");
            o += k * _strides[i];
        }
        return o;
    }

    /// <summary>A readable dump: shape, then values (at most a few per dimension).</summary>
    public override string ToString() => TensorFormatter.Format(this);
}
