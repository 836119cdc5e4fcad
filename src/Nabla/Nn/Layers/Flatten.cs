using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Merges every axis from <c>startAxis</c> on into one, as PyTorch's <c>nn.Flatten</c>:
/// <c>[N, C, H, W]</c> → <c>[N, C·H·W]</c> with the default start axis 1.
/// </summary>
/// <param name="startAxis">The first axis merged (1 keeps the batch axis).</param>
public sealed class Flatten(int startAxis = 1) : Module
{
    /// <summary>The first axis merged.</summary>
    public int StartAxis { get; } = startAxis;

    /// <summary>Reshapes (a view when the input is contiguous).</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(StartAxis);
    }
}
