namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Hooks the backward engine runs once this leaf's gradient is final for the current pass
    /// (registered through the autograd layer's <c>RegisterPostAccumulateGradHook</c>), or null.
    /// </summary>
    internal Action<Tensor>? PostAccumulateGradHooks;

    /// <summary>
    /// During a backward pass: the recorded uses of this hooked leaf whose backward rule has not
    /// run yet. Zero outside a pass (the engine resets it), so the first use a pass counts is seen as 0.
    /// </summary>
    internal int PendingGradUses;
}
