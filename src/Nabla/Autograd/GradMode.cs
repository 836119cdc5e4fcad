using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Whether operations are recorded for backward on this thread. Recording is on by default;
/// <see cref="NoGrad"/> turns it off for a region, like <c>torch.no_grad()</c>.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True when operations on tensors that require grad are recorded.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>
    /// Stops recording until the returned scope is disposed: for inference and for in-place
    /// parameter updates. Scopes nest.
    /// </summary>
    /// <example><code>using (GradMode.NoGrad()) { var y = model.Forward(x); }</code></example>
    public static NoGradScope NoGrad()
    {
        _disabledDepth++;
        return new NoGradScope(true);
    }

    /// <summary>Ends one <see cref="NoGrad"/> region.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly bool _active;

        internal NoGradScope(bool active) => _active = active;

        /// <summary>Turns recording back on if this was the outermost region.</summary>
        public void Dispose()
        {
            if (_active) _disabledDepth--;
        }
    }

    /// <summary>True when an operation with these inputs must be recorded.</summary>
    internal static bool Records(Tensor a) => _disabledDepth == 0 && a.RequiresGrad;

    /// <inheritdoc cref="Records(Tensor)"/>
    internal static bool Records(Tensor a, Tensor b) => _disabledDepth == 0 && (a.RequiresGrad || b.RequiresGrad);

    /// <summary>Attaches <paramref name="node"/> as the producer of <paramref name="output"/>; returns the output.</summary>
    internal static Tensor Attach(Node node, Tensor output)
    {
        node.Output = output;
        output.GradFn = node;
        output.SetRequiresGradInternal(true);
        return output;
    }
}
