using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Logistic sigmoid y = 1 / (1 + e⁻ˣ).</summary>
public sealed class Sigmoid : Module
{
    /// <summary>Applies the activation elementwise; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }
}
