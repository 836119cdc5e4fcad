using System.Runtime.CompilerServices;
using Nabla.Tensors;
using Nabla.Kernels;

namespace Nabla.Autograd;

/// <summary>
/// Runs reverse-mode differentiation: orders the recorded nodes reachable from the root
/// topologically, then calls each node's backward rule in reverse order, so every node sees its
/// output's complete gradient before passing shares to its inputs.
/// </summary>
internal static class BackwardEngine
{
    [ThreadStatic] private static List<Node>? _order;
    [ThreadStatic] private static Stack<(Node Node, int Next)>? _stack;
    [ThreadStatic] private static int _stamp;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Tensor root, Tensor? seed, bool retainGraph)
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
            return;
        }

        var order = _order ??= new List<Node>(64);
        var stack = _stack ??= new Stack<(Node, int)>(64);
        order.Clear();
        stack.Clear();
        int stamp = ++_stamp;
        rootNode.VisitStamp = stamp;
        stack.Push((rootNode, 0));
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
            }
            else
            {
                order.Add(node);
            }
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
                if (grad is null) continue; // no gradient reached this node
                node.Backward(grad);
                node.OutputGrad = null;
                Tensor.ReturnWorkspace(grad);
            }
        }
        finally
        {
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
