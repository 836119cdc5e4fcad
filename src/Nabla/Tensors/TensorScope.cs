using System.Runtime.CompilerServices;
namespace Nabla.Tensors;

/// <summary>
/// A region of code whose temporary tensors are recycled when it ends: every tensor an operation
/// creates inside the scope takes its buffer from a pool, and the buffer goes back to the pool on
/// <see cref="Dispose"/>. Training and inference loops use one scope per step so that the
/// steady state reuses the same memory instead of producing garbage.
/// </summary>
/// <remarks>
/// A tensor created inside a scope ends with it unless it was passed to <see cref="Keep"/>: any
/// later use throws <see cref="ObjectDisposedException"/> naming the scope. Only buffers are reused,
/// never tensor objects, so a handle kept by mistake can never read or write another tensor's data.
/// Outside any scope tensors are ordinary GC objects. Scopes nest and belong to the thread that
/// began them.
/// </remarks>
/// <example><code>
/// using (TensorScope.Begin("training step"))
/// {
///     var loss = lossFn.Forward(model.Forward(x), y);
///     loss.Backward();
///     total += loss.Item();
/// }   // every intermediate's buffer goes back to the pool here; the tensors themselves are ended
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    [ThreadStatic] private static Stack<TensorScope>? _free;
    private static long _lastId;

    private readonly List<Tensor> _tracked = new(256);
    private TensorScope? _parent;
    private bool _active;
    private long _id;
    private string? _name;
    private int _thread;

    private TensorScope() { }

    /// <summary>The innermost active scope of this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>The name given to <see cref="Begin"/>, or null.</summary>
    public string? Name => _name;

    /// <summary>Starts a scope on this thread; dispose it to recycle what it created.</summary>
    /// <param name="name">Named in the error a tensor used after the scope raises (e.g. <c>"training step"</c>).</param>
    public static TensorScope Begin(string? name = null)
    {
        var free = _free ??= new Stack<TensorScope>();
        var scope = free.Count > 0 ? free.Pop() : new TensorScope();
        scope._parent = _current;
        scope._active = true;
        scope._id = Interlocked.Increment(ref _lastId);
        scope._name = name;
        scope._thread = Environment.CurrentManagedThreadId;
        _current = scope;
        return scope;
    }

    /// <summary>
    /// Runs without any scope until the returned value is disposed: for tensors that must
    /// outlive the step, such as lazily created parameters.
    /// </summary>
    public static SuspendedScope Suspend()
    {
        var saved = _current;
        _current = null;
        return new SuspendedScope(saved);
    }

    /// <summary>Lets <paramref name="tensor"/> (and the buffer it views, and its padding <see cref="Tensor.Mask"/>) survive its scope; returns it.</summary>
    public static Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _ = tensor.Buffer; // an ended tensor cannot be revived
        tensor.Kept = true;
        if (tensor.ViewOf is { } owner) owner.Kept = true;
        if (tensor.Mask is { } mask && !mask.Kept) Keep(mask);
        return tensor;
    }

    /// <summary>Registers a tensor whose storage this scope recycles.</summary>
    internal void Track(Tensor t)
    {
        if (_thread != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException($"a view of a tensor that {Describe(_id, _name)} owns was made on another thread; scopes belong to the thread that began them");
        t.Scope = this;
        _tracked.Add(t);
    }

    /// <summary>Ends the scope: tensors not kept end, and their buffers go back to the pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Dispose()
    {
        if (!_active) return;
        if (_current != this)
            throw new InvalidOperationException("tensor scopes must end in the reverse order they began");
        foreach (var t in _tracked)
        {
            if (t.Kept)
            {
                t.Scope = null;
                t.Kept = false;
                continue;
            }
            // A kept view keeps its owner (Keep marks both), so an owner that ends here has no live view.
            t.End(_id, _name, returnBuffer: t.BufferPooled);
        }
        _tracked.Clear();
        _active = false;
        _current = _parent;
        _parent = null;
        _name = null;
        _free!.Push(this);
    }


    /// <summary>How an error names scope <paramref name="id"/>.</summary>
    internal static string Describe(long id, string? name) => name is null ? $"TensorScope #{id}" : $"TensorScope #{id} (\"{name}\")";

    /// <summary>Restores the scope that <see cref="Suspend"/> set aside.</summary>
    public readonly struct SuspendedScope : IDisposable
    {
        private readonly TensorScope? _saved;

        internal SuspendedScope(TensorScope? saved) => _saved = saved;

        /// <summary>Makes the set-aside scope current again.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Dispose() => _current = _saved;
    }
}
