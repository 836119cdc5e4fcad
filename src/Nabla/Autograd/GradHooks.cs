using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Hooks into the backward pass, as PyTorch's <c>Tensor.register_post_accumulate_grad_hook</c> and
/// the engine's <c>queue_callback</c>: what data-parallel training needs to start averaging a layer's
/// gradients while backward still runs on the layers before it.
/// </summary>
/// <example><code>
/// using var handle = weight.RegisterPostAccumulateGradHook(w => Console.WriteLine($"final: {w.Grad}"));
/// loss.Backward();   // the hook runs once weight.Grad holds this pass's complete gradient
/// </code></example>
public static class GradHooks
{
    extension(Tensor t)
    {
        /// <summary>
        /// Registers <paramref name="hook"/> to run during each backward pass that reaches this leaf,
        /// right after the last backward rule that adds to its <see cref="Tensor.Grad"/> has run — so
        /// <c>Grad</c> is final for the pass — and before the rules of operations recorded earlier
        /// (the layers nearer the input) run. A pass that does not reach the leaf does not call it.
        /// Hooks run on the thread running backward, in registration order.
        /// </summary>
        /// <returns>A handle whose <see cref="IDisposable.Dispose"/> removes the hook.</returns>
        /// <exception cref="InvalidOperationException">The tensor is not a leaf that requires grad.</exception>
        public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
        {
            ArgumentNullException.ThrowIfNull(hook);
            if (!t.IsLeaf || !t.RequiresGrad)
                throw new InvalidOperationException($"post-accumulate-grad hooks go on leaf tensors that require grad (parameters); got a {(t.IsLeaf ? "leaf that does not require grad" : "computed tensor")} of shape {t.Shape}");
            t.PostAccumulateGradHooks += hook;
            return new Registration(t, hook);
        }
    }

    /// <summary>
    /// Queues <paramref name="callback"/> to run once when the backward pass running on this thread has
    /// finished every rule (after all post-accumulate-grad hooks), before <c>Backward()</c> returns.
    /// Call it from a hook; an exception it throws comes out of <c>Backward()</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No backward pass is running on this thread.</exception>
    public static void QueueCallback(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        BackwardEngine.QueueCallback(callback);
    }

    private sealed class Registration(Tensor tensor, Action<Tensor> hook) : IDisposable
    {
        private bool _removed;

        public void Dispose()
        {
            if (_removed) return;
            _removed = true;
            tensor.PostAccumulateGradHooks -= hook;
        }
    }
}
