using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Runs reverse-mode differentiation: orders the recorded nodes reachable from the root
/// topologically, then calls each node's backward rule in reverse order, so every node sees its
/// output's complete gradient before passing shares to its inputs.
/// </summary>
/// <remarks>
/// Hooks (<see cref="GradHooks"/>): while ordering, each edge into a leaf that has post-accumulate
/// hooks is counted on the leaf; after each node's rule has run (or was skipped because no gradient
/// reached it) the counts of its hooked inputs go down, and a leaf whose count reaches zero has its
/// final gradient: its hooks run then, while the rules of earlier layers are still to come. Callbacks
/// queued during the pass run after the last rule.
/// </remarks>
internal static class BackwardEngine
{
    [ThreadStatic] private static List<Node>? _order;
    [ThreadStatic] private static Stack<(Node Node, int Next)>? _stack;
    [ThreadStatic] private static int _stamp;
    [ThreadStatic] private static List<Tensor>? _hooked;
    [ThreadStatic] private static List<Action>? _callbacks;
    [ThreadStatic] private static int _depth;

    /// <summary>True while a backward pass runs on this thread (hooks may queue callbacks).</summary>
    public static bool Running => _depth > 0;

    /// <summary>Queues <paramref name="callback"/> to run when the backward pass running on this thread finishes.</summary>
    public static void QueueCallback(Action callback)
    {
        if (_depth == 0) throw new InvalidOperationException("QueueCallback: no backward pass is running on this thread; call it from a gradient hook");
        (_callbacks ??= []).Add(callback);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Tensor root, Tensor? seed, bool retainGraph)
    {
        _depth++;
        try
        {
            RunPass(root, seed, retainGraph);
            // Queued by hooks of this pass (or a nested one): run once every gradient is final.
            if (_depth == 1 && _callbacks is { Count: > 0 } callbacks)
                for (int i = 0; i < callbacks.Count; i++) callbacks[i]();
        }
        finally
        {
            if (--_depth == 0) _callbacks?.Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPass(Tensor root, Tensor? seed, bool retainGraph)
    {
        root.ThrowIfEnded();
        if (root.GraphReleased)
            throw new InvalidOperationException("Backward: the graph behind this tensor was already released by an earlier Backward(); pass retainGraph: true to the first call to backward twice");
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: the tensor does not require grad (no input had RequiresGrad = true, or it was computed under NoGrad)");
        if (seed is null && root.Numel != 1)
            throw new InvalidOperationException($"Backward() without a seed needs a scalar (one-element) tensor, got shape {root.Shape}; pass the gradient of the output as the seed");
        if (seed is not null && seed.Shape != root.Shape)
            throw new ShapeMismatchException($"Backward: seed shape {seed.Shape} differs from the tensor's shape {root.Shape}");

        if (root.GradFn is not Node rootNode)
        {
            // A leaf: its gradient is the seed itself.
            var g = GradBuffer(root, out bool acc);
            Accumulate(g, seed, acc);
            if (root.RequiresGrad) root.PostAccumulateGradHooks?.Invoke(root);
            return;
        }

        var order = _order ??= new List<Node>(64);
        var stack = _stack ??= new Stack<(Node, int)>(64);
        var hooked = _hooked ??= [];
        order.Clear();
        stack.Clear();
        int stamp = ++_stamp;
        rootNode.VisitStamp = stamp;
        stack.Push((rootNode, 0));
        try
        {
            Order(stack, order, hooked, stamp);
        }
        catch
        {
            ResetHooked(hooked);
            throw;
        }

        var rootGrad = Tensor.RentWorkspace(root.Shape);
        Accumulate(rootGrad, seed, false);
        rootNode.OutputGrad = rootGrad;
        try
        {
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var node = order[i];
                var grad = node.OutputGrad;
                if (grad is not null) // else no gradient reached this node
                {
                    node.Backward(grad);
                    node.OutputGrad = null;
                    Tensor.ReturnWorkspace(grad);
                }
                if (hooked.Count > 0) ReleaseHookedInputs(node);
            }
        }
        finally
        {
            ResetHooked(hooked);
            foreach (var node in order)
            {
                if (node.OutputGrad is { } leftover)
                {
                    node.OutputGrad = null;
                    Tensor.ReturnWorkspace(leftover);
                }
                if (!retainGraph)
                {
                    var output = node.Output!;
                    output.GradFn = null;
                    output.GraphReleased = true;
                    node.Release();
                }
            }
            order.Clear();
        }
    }

    /// <summary>Iterative depth-first search from the root: <paramref name="order"/> gets the nodes in post-order; hooked leaves get their uses counted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Order(Stack<(Node Node, int Next)> stack, List<Node> order, List<Tensor> hooked, int stamp)
    {
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.InputCount)
            {
                stack.Push((node, next + 1));
                var input = node.InputOrNull(next);
                // Before any rule runs, so a graph that outlived its scope leaves no partial gradients.
                input?.ThrowIfEnded();
                if (input?.GradFn is Node child && child.VisitStamp != stamp)
                {
                    child.VisitStamp = stamp;
                    stack.Push((child, 0));
                }
                else if (input is { GradFn: null, RequiresGrad: true, PostAccumulateGradHooks: not null } && input.PendingGradUses++ == 0)
                {
                    hooked.Add(input);
                }
            }
            else
            {
                order.Add(node);
            }
        }
    }

    private static void ResetHooked(List<Tensor> hooked)
    {
        foreach (var leaf in hooked) leaf.PendingGradUses = 0;
        hooked.Clear();
    }

    /// <summary>Counts down the uses of the hooked leaves among <paramref name="node"/>'s inputs; a leaf whose last use has run gets its hooks called.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReleaseHookedInputs(Node node)
    {
        for (int k = 0; k < node.InputCount; k++)
        {
            if (node.InputOrNull(k) is { PendingGradUses: > 0 } leaf && leaf.GradFn is null && --leaf.PendingGradUses == 0)
                leaf.PostAccumulateGradHooks?.Invoke(leaf);
        }
    }

    /// <summary>
    /// The buffer that receives <paramref name="input"/>'s gradient: the producing node's
    /// accumulator for computed tensors, <see cref="Tensor.Grad"/> for leaves.
    /// </summary>
    public static Tensor GradBuffer(Tensor input, out bool accumulate)
    {
        if (input.GraphReleased)
            throw new InvalidOperationException($"Backward: a tensor of shape {input.Shape} belongs to a graph an earlier Backward() released; pass retainGraph: true to the first call");
        if (input.GradFn is Node producer)
        {
            accumulate = producer.OutputGrad is not null;
            return producer.OutputGrad ??= Tensor.RentWorkspace(input.Shape);
        }
        if (input.TakeGradForBackward(out bool holdsValue) is { } existing)
        {
            if (existing.Shape != input.Shape || !existing.IsContiguous)
                throw new ShapeMismatchException($"Backward: the Grad of a leaf of shape {input.Shape} has shape {existing.Shape}");
            accumulate = holdsValue;
            return existing;
        }
        accumulate = false;
        return input.Grad = Tensor.Owned(input.Shape);
    }

    private static void Accumulate(Tensor target, Tensor? seed, bool accumulate)
    {
        var dst = target.AsSpan();
        if (seed is null)
        {
            if (accumulate) dst[0] += 1f;
            else dst[0] = 1f;
            return;
        }
        var tmp = seed.IsContiguous ? seed.AsSpan() : seed.ToArray();
        if (accumulate) Primitives.Add(dst, tmp, dst);
        else tmp.CopyTo(dst);
    }
}
