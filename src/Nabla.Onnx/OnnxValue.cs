using Nabla.Tensors;

namespace Nabla.Onnx;

/// <summary>
/// A value of the graph being exported: its ONNX name and its shape as Nabla computes it for a
/// batch of one (axis 0 is the batch axis, which the exported graph leaves symbolic as "N").
/// </summary>
/// <param name="Name">The value's name in the ONNX graph.</param>
/// <param name="Shape">The shape for one sample, batch axis included (e.g. [1, 784]).</param>
public sealed record OnnxValue(string Name, Shape Shape);
