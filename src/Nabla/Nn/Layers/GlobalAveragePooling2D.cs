using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Keras' <c>GlobalAveragePooling2D</c> on NCHW batches: y[n, c] = mean over H and W of x[n, c],
/// i.e. <see cref="AdaptiveAvgPool2d"/>(1) followed by dropping the two unit axes.
/// </summary>
public class GlobalAveragePooling2D : Module
{
    /// <summary>x [N, C, H, W] → [N, C].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = input.AdaptiveAvgPool2d(1, 1);
        return y.Reshape(y.Shape[0], y.Shape[1]);
    }

    /// <summary><c>GlobalAveragePooling2D</c>.</summary>
    public override string Describe() => "GlobalAveragePooling2D";
}
