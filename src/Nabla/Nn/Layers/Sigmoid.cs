using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Logistic sigmoid y = 1 / (1 + e⁻ˣ).</summary>
public sealed class Sigmoid : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>Applies the activation elementwise; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }
}
