using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Max pooling over NCHW batches, as PyTorch's <c>nn.MaxPool2d</c>: each output is the maximum of
/// its kernel window (padding never wins); the gradient flows to the first maximum of the window.
/// </summary>
public class MaxPool2d : Module
{
    /// <summary>Creates the layer; stride defaults to the kernel size.</summary>
    /// <param name="kernelSize">Window height and width.</param>
    /// <param name="stride">Step between windows; null for the kernel size.</param>
    /// <param name="padding">Rows/columns of −∞ added on each side (at most half the kernel).</param>
    public MaxPool2d((int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W)? padding = null)
    {
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"kernel size must be positive, got {kernelSize}", nameof(kernelSize));
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding ?? (0, 0);
        if (Stride.H < 1 || Stride.W < 1) throw new ArgumentException($"stride must be positive, got {Stride}", nameof(stride));
        if (Padding.H < 0 || Padding.W < 0 || 2 * Padding.H > KernelSize.H || 2 * Padding.W > KernelSize.W)
            throw new ArgumentException($"padding {Padding} must be between 0 and half the kernel {KernelSize}", nameof(padding));
    }

    /// <summary>Creates the layer with a square window.</summary>
    /// <param name="kernelSize">Window size.</param>
    /// <param name="stride">Step between windows; null for the kernel size.</param>
    /// <param name="padding">Padding on each side.</param>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
        : this((kernelSize, kernelSize), (stride ?? kernelSize, stride ?? kernelSize), (padding, padding))
    {
    }

    /// <summary>Window (height, width).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride (vertical, horizontal).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Padding (rows, columns).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>x [N, C, H, W] → [N, C, OH, OW].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.MaxPool2d(KernelSize, Stride, Padding);
    }

    /// <summary><c>MaxPool2d(2x2, stride 2x2)</c>.</summary>
    public override string Describe() => $"MaxPool2d({KernelSize.H}x{KernelSize.W}, stride {Stride.H}x{Stride.W}"
        + (Padding == (0, 0) ? ")" : $", padding {Padding.H}x{Padding.W})");
}
