using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>GELU (exact) y = x·Φ(x) = ½x(1 + erf(x/√2)), as PyTorch's default nn.GELU.</summary>
public sealed class GELU : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>Applies the activation elementwise; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Gelu();
    }
}
