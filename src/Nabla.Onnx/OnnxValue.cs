using Nabla.Tensors;

namespace Nabla.Onnx;

/// <summary>
/// A value of the graph being exported: its ONNX name and its shape as Nabla computes it for a
/// batch of one (axis 0 is the batch axis, which the exported graph leaves symbolic as "N").
/// </summary>
/// <param name="Name">The value's name in the ONNX graph.</param>
/// <param name="Shape">The shape for one sample, batch axis included (e.g. [1, 784]).</param>
public sealed record OnnxValue(string Name, Shape Shape)
{
    /// <summary>
    /// The name of the value's padding mask, a float [N, T] value (1 at real positions, 0 at padding), or
    /// null: what <see cref="Tensor.Mask"/> is in Nabla, set by an embedding with a padding index and
    /// carried by a <see cref="Nabla.Nn.Sequential"/> through layers that support masking.
    /// </summary>
    public string? Mask { get; init; }
}
