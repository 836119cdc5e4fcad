using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>Hands a contiguous tensor's elements to the <c>Memory</c>-based kernels (which run on worker threads).</summary>
internal static class TensorMemory
{
    /// <summary>The elements of a contiguous tensor as memory; empty for null.</summary>
    public static Memory<float> Of(Tensor? t) => t is null ? default : t.Buffer.AsMemory(t.Offset, t.Numel);
}
