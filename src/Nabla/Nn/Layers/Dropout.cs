using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Inverted dropout: in training each element is kept with probability 1 − p and scaled by
/// 1/(1 − p), else zeroed — y = x·m with m ∈ {0, 1/(1−p)}, so E[y] = x; in evaluation y = x.
/// Each forward pass draws one seed from the layer's own <see cref="Rng"/>; the mask follows from it.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    private readonly Rng _rng;

    /// <summary>A dropout layer zeroing with probability <paramref name="p"/>, drawing masks from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1].</exception>
    public Dropout(double p, Rng rng)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability must be in [0, 1], got {p}");
        ArgumentNullException.ThrowIfNull(rng);
        P = (float)p;
        _rng = rng;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>The mask seeds' source, for layers that fuse this dropout into another operation.</summary>
    internal Rng Rng => _rng;

    /// <summary>y = x·m in training (fresh mask each call), y = x in evaluation.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || P == 0) return input;
        // One fused op: the mask is regenerated from a seed in backward, never stored.
        return input.Dropout(P, _rng);
    }

    /// <summary><c>Dropout(p=0.2)</c>.</summary>
    public override string Describe() => $"Dropout(p={P.ToString("G4", CultureInfo.InvariantCulture)})";
}
