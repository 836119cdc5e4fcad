using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Exponential linear unit y = x if x &gt; 0 else α(eˣ − 1).</summary>
public sealed class ELU : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>An ELU with scale α ≥ 0 (1 by default, as in PyTorch).</summary>
    /// <exception cref="ArgumentOutOfRangeException">α is negative.</exception>
    public ELU(double alpha = 1)
    {
        if (!(alpha >= 0)) throw new ArgumentOutOfRangeException(nameof(alpha), $"ELU alpha must be ≥ 0, got {alpha}");
        Alpha = (float)alpha;
    }

    /// <summary>The scale α of the negative branch.</summary>
    public float Alpha { get; }

    /// <summary>Applies the activation elementwise; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Elu(Alpha);
    }

    /// <summary><c>ELU(α=1)</c>.</summary>
    public override string Describe() => $"ELU(α={Alpha.ToString("G4", CultureInfo.InvariantCulture)})";
}
