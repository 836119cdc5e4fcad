using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Heaviside step y = 1 if x &gt; 0 else 0, the threshold unit of the classic perceptron. No gradient flows through it (its derivative is 0 wherever it exists).</summary>
public sealed class Step : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>Applies the activation elementwise; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Step();
    }
}
