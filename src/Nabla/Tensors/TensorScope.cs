using System.Runtime.CompilerServices;
namespace Nabla.Tensors;

/// <summary>
/// A region of code whose temporary tensors are recycled when it ends: every tensor an operation
/// creates inside the scope takes its object and buffer from pools, and both go back to the pools
/// on <see cref="Dispose"/>. Training and inference loops use one scope per step so that the
/// steady state allocates nothing.
/// </summary>
/// <remarks>
/// A tensor created inside a scope must not be used after the scope ends unless it was passed to
/// <see cref="Keep"/>. Outside any scope tensors are ordinary GC objects. Scopes nest and belong to
/// the thread that began them.
/// </remarks>
/// <example><code>
/// using (TensorScope.Begin())
/// {
///     var loss = lossFn.Forward(model.Forward(x), y);
///     loss.Backward();
///     total += loss.Item();
/// }   // every intermediate goes back to the pools here
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    [ThreadStatic] private static Stack<TensorScope>? _free;
    [ThreadStatic] private static Stack<Tensor>? _tensorPool;

    private readonly List<Tensor> _tracked = new(256);
    private TensorScope? _parent;
    private bool _active;

    private TensorScope() { }

    /// <summary>The innermost active scope of this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>Starts a scope on this thread; dispose it to recycle what it created.</summary>
    public static TensorScope Begin()
    {
        var free = _free ??= new Stack<TensorScope>();
        var scope = free.Count > 0 ? free.Pop() : new TensorScope();
        scope._parent = _current;
        scope._active = true;
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

    /// <summary>Lets <paramref name="tensor"/> (and the buffer it views) survive this scope; returns it.</summary>
    public static Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Kept = true;
        if (tensor.ViewOf is { } owner) owner.Kept = true;
        return tensor;
    }

    internal Tensor RentTensor()
    {
        var pool = _tensorPool ??= new Stack<Tensor>();
        var t = pool.Count > 0 ? pool.Pop() : CreateTensorObject();
        t.Scope = this;
        _tracked.Add(t);
        return t;
    }

    private static Tensor CreateTensorObject() => Tensor.NewObject();

    /// <summary>Ends the scope: tensors not kept go back to the pools.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Dispose()
    {
        if (!_active) return;
        if (_current != this)
            throw new InvalidOperationException("tensor scopes must end in the reverse order they began");
        var pool = _tensorPool!;
        foreach (var t in _tracked)
        {
            if (t.Kept)
            {
                t.Scope = null;
                t.Kept = false;
                continue;
            }
            if (t.BufferPooled && (t.ViewOf is null || !t.ViewOf.Kept)) BufferPool.Return(t.Buffer);
            t.ResetForPool();
            pool.Push(t);
        }
        _tracked.Clear();
        _active = false;
        _current = _parent;
        _parent = null;
        _free!.Push(this);
    }

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
