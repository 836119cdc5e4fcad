using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Softmax along one axis: yᵢ = e^xᵢ / Σⱼ e^xⱼ.</summary>
/// <param name="axis">The axis normalized over (last by default; negative counts from the end).</param>
public sealed class Softmax(int axis = -1) : Module
{
    /// <summary>True when the axis is the last (or beyond the time axis): each position is then normalized separately and a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => Axis is -1 or >= 2;

    /// <summary>The axis normalized over.</summary>
    public int Axis { get; } = axis;

    /// <summary>Applies the function along <see cref="Axis"/>; same shape out.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softmax(Axis);
    }

    /// <summary><c>Softmax(axis=-1)</c>.</summary>
    public override string Describe() => $"Softmax(axis={Axis.ToString(CultureInfo.InvariantCulture)})";
}
