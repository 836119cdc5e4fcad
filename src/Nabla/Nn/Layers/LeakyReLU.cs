using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Leaky ReLU y = x if x &gt; 0 else α·x, with a fixed slope α (0.01 as in PyTorch).</summary>
/// <param name="negativeSlope">The slope α for negative inputs.</param>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>The slope α for negative inputs.</summary>
    public float NegativeSlope { get; } = (float)negativeSlope;

    /// <summary>Applies the activation elementwise; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LeakyRelu(NegativeSlope);
    }

    /// <summary><c>LeakyReLU(α=0.01)</c>.</summary>
    public override string Describe() => $"LeakyReLU(α={NegativeSlope.ToString("G4", CultureInfo.InvariantCulture)})";
}
