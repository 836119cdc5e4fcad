using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Rectified linear unit y = max(0, x).</summary>
public sealed class ReLU : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>Applies the activation elementwise; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu();
    }
}
