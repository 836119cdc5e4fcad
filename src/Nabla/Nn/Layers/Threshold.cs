using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// PyTorch's <c>nn.Threshold</c>: y = x if x &gt; θ else <c>value</c> (strictly greater; value = 0 by
/// default), for thresholding outputs. The gradient is 1 where x &gt; θ and 0 elsewhere.
/// </summary>
/// <param name="threshold">θ: inputs at or below it are replaced.</param>
/// <param name="value">What replaces them.</param>
public sealed class Threshold(double threshold, double value = 0) : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>θ: inputs at or below it are replaced.</summary>
    public float Theta { get; } = (float)threshold;

    /// <summary>The replacement for inputs x ≤ θ.</summary>
    public float Value { get; } = (float)value;

    /// <summary>Applies y = x &gt; θ ? x : value elementwise.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Tensor.Where(input.Gt(Theta), input, Tensor.Scalar(Value));
    }

    /// <summary><c>Threshold(θ=0.5, value=0)</c>.</summary>
    public override string Describe() =>
        $"Threshold(θ={Theta.ToString("G4", CultureInfo.InvariantCulture)}, value={Value.ToString("G4", CultureInfo.InvariantCulture)})";
}
