using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Finds where NaN or infinity entered a computation: walks the recorded graph behind a tensor in
/// the order the operations ran and names the first operation whose inputs were all finite but
/// whose output was not (or, failing that, the leaf — a parameter or the input — that already held
/// such values). Runs only when something has gone wrong, so it may take its time.
/// </summary>
internal static class NonFiniteOrigin
{
    /// <summary>
    /// A description such as <c>Exp([4, 3]) → [4, 3]</c> or <c>parameter 0.weight holds non-finite
    /// values</c>, or null when every value behind <paramref name="root"/> is finite.
    /// </summary>
    /// <param name="root">The tensor whose graph is searched (a loss before its backward pass).</param>
    /// <param name="leafName">A leaf's name (parameters), or null for other leaves.</param>
    public static string? Find(Tensor root, Func<Tensor, string?> leafName)
    {
        Tensor? badLeaf = null;
        foreach (var node in InExecutionOrder(root))
        {
            if (node.Output is not { } output || IsFinite(output)) continue;
            bool inputsFinite = true;
            for (int i = 0; i < node.InputCount; i++)
            {
                if (node.InputOrNull(i) is not { } input || IsFinite(input)) continue;
                inputsFinite = false;
                if (input.IsLeaf) badLeaf ??= input;
            }
            if (inputsFinite) return Describe(node, output);
        }
        if (root.IsLeaf && !IsFinite(root)) badLeaf ??= root;
        return badLeaf is null ? null : $"{(leafName(badLeaf) is { } name ? "parameter " + name : "an input of shape " + badLeaf.Shape)} holds non-finite values";
    }

    /// <summary>True when no element is NaN or ±∞.</summary>
    public static bool IsFinite(Tensor t)
    {
        var values = t.IsContiguous ? t.ReadOnlyData : (ReadOnlySpan<float>)t.ToArray();
        foreach (float v in values) if (!float.IsFinite(v)) return false;
        return true;
    }

    private static string Describe(Node node, Tensor output)
    {
        string name = node.Name.EndsWith("Backward", StringComparison.Ordinal) ? node.Name[..^"Backward".Length] : node.Name;
        var inputs = new List<string>();
        for (int i = 0; i < node.InputCount; i++)
            if (node.InputOrNull(i) is { } input) inputs.Add(input.Shape.ToString());
        return $"{name}({string.Join(", ", inputs)}) → {output.Shape}";
    }

    // Post-order from the root: every operation comes after the operations that produced its inputs.
    private static List<Node> InExecutionOrder(Tensor root)
    {
        var order = new List<Node>();
        if (root.GradFn is not Node start) return order;
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance) { start };
        var stack = new Stack<(Node Node, int Next)>();
        stack.Push((start, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.InputCount)
            {
                stack.Push((node, next + 1));
                if (node.InputOrNull(next)?.GradFn is Node child && seen.Add(child)) stack.Push((child, 0));
            }
            else
            {
                order.Add(node);
            }
        }
        return order;
    }
}
