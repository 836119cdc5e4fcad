using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Watches the forward pass of every training step of <c>Fit</c> layer by layer, like PyTorch's
/// forward hooks. A <see cref="Callbacks.Callback"/> that implements it puts <c>Fit</c> in a
/// diagnostic mode: a <see cref="Sequential"/> model then runs its layers one at a time (the same
/// operations as its own <c>Forward</c>) and each output is shown to the observer, then the loss,
/// before the backward pass. Without such a callback the step is unchanged, so this costs nothing.
/// </summary>
/// <remarks>
/// The tensors belong to the step's <see cref="TensorScope"/>: read them during the call, do not
/// keep them. Both methods run in the hot loop.
/// </remarks>
public interface IStepObserver
{
    /// <summary>Layer <paramref name="index"/> (the model itself, index 0, when it is not a <see cref="Sequential"/>) has computed <paramref name="output"/>.</summary>
    void OnLayerOutput(int index, Module layer, Tensor output);

    /// <summary>The batch loss is computed; its graph is still whole (backward has not run).</summary>
    void OnLoss(Tensor loss);
}
