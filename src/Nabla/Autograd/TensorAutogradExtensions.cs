using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>Backward passes and graph control on tensors.</summary>
public static class TensorAutogradExtensions
{
    extension(Tensor t)
    {
        /// <summary>
        /// Computes the gradient of this one-element tensor (a loss) with respect to every leaf that
        /// requires grad, adding it into their <see cref="Tensor.Grad"/>. The graph is released
        /// afterwards unless <paramref name="retainGraph"/> is true.
        /// </summary>
        public void Backward(bool retainGraph = false) => BackwardEngine.Run(t, null, retainGraph);

        /// <summary>
        /// Vector–Jacobian product: backpropagates <paramref name="seed"/> (∂L/∂this, same shape as
        /// this tensor) into the leaves' gradients.
        /// </summary>
        public void Backward(Tensor seed, bool retainGraph = false)
        {
            ArgumentNullException.ThrowIfNull(seed);
            BackwardEngine.Run(t, seed, retainGraph);
        }

        /// <summary>A tensor sharing this one's values that is cut from the graph (a leaf that does not require grad).</summary>
        public Tensor Detach() => Tensor.View(t, t.Shape, t.Strides, t.Offset);

        /// <summary>Sets <see cref="Tensor.RequiresGrad"/> and returns the tensor, for chaining.</summary>
        public Tensor RequireGrad(bool value = true)
        {
            t.RequiresGrad = value;
            return t;
        }
    }
}
