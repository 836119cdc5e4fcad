using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// One recorded operation of the graph: its inputs, what it saved for backward, and its backward
/// rule. Each operation defines a sealed subclass next to its forward code.
/// </summary>
/// <remarks>
/// A backward rule receives the gradient of the loss with respect to the operation's output and
/// adds (never assigns) each input's share into that input's gradient buffer, the micrograd
/// <c>+=</c> that makes inputs used more than once correct. The buffer is obtained from
/// <see cref="GradFor"/>, which also says whether it already holds a value (accumulate) or must be
/// overwritten, so rules write in place (GEMM with β = 1) instead of allocating temporaries.
/// </remarks>
internal abstract class Node : GradFunction
{
    private Tensor?[] _inputs = new Tensor?[2];

    /// <summary>Number of inputs recorded.</summary>
    protected internal int InputCount { get; private set; }

    /// <summary>The tensor this node produced.</summary>
    internal Tensor? Output;

    /// <summary>Gradient of the loss with respect to <see cref="Output"/>, accumulated during backward.</summary>
    internal Tensor? OutputGrad;

    /// <summary>Traversal stamp so a node is visited once per backward pass.</summary>
    internal int VisitStamp;

    /// <summary>The recorded input <paramref name="index"/>.</summary>
    protected Tensor Input(int index) => _inputs[index]!;

    internal Tensor? InputOrNull(int index) => _inputs[index];

    internal void SetInput(int index, Tensor tensor)
    {
        // The array grows once per pooled node and is kept, so steady state does not allocate.
        if (index >= _inputs.Length) Array.Resize(ref _inputs, Math.Max(index + 1, 2 * _inputs.Length));
        _inputs[index] = tensor;
        if (index >= InputCount) InputCount = index + 1;
    }

    /// <summary>True when input <paramref name="index"/> needs a gradient.</summary>
    protected bool Needs(int index) => _inputs[index] is { RequiresGrad: true };

    /// <summary>
    /// The buffer into which input <paramref name="index"/>'s gradient goes (shape of the input,
    /// contiguous), and whether the rule must add to it (<paramref name="accumulate"/> true) or may
    /// overwrite it. The rule must write every element.
    /// </summary>
    protected Tensor GradFor(int index, out bool accumulate) => BackwardEngine.GradBuffer(_inputs[index]!, out accumulate);

    /// <summary>Computes the inputs' gradient shares from <paramref name="grad"/> (the output's gradient).</summary>
    protected internal abstract void Backward(Tensor grad);

    /// <summary>Drops references to inputs and saved tensors, then returns the node to its pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Release()
    {
        for (int i = 0; i < InputCount; i++) _inputs[i] = null;
        InputCount = 0;
        Output = null;
        OutputGrad = null;
        ClearSaved();
        ReturnToPool();
    }

    /// <summary>Drops what the rule saved beyond its inputs (scalars need no clearing).</summary>
    protected virtual void ClearSaved() { }

    private protected abstract void ReturnToPool();
}

/// <summary>
/// A node type with its own pool of instances, so recording an operation in steady-state training
/// allocates nothing.
/// </summary>
/// <typeparam name="TSelf">The concrete node type.</typeparam>
internal abstract class Node<TSelf> : Node where TSelf : Node<TSelf>, new()
{
    [ThreadStatic] private static Stack<TSelf>? _pool;

    /// <summary>A node from the pool (or new).</summary>
    internal static TSelf Rent()
    {
        var pool = _pool;
        return pool is { Count: > 0 } ? pool.Pop() : new TSelf();
    }

    private protected override void ReturnToPool() => (_pool ??= new Stack<TSelf>()).Push((TSelf)this);
}
