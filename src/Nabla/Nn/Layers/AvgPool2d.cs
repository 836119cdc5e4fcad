using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Average pooling over NCHW batches, as PyTorch's <c>nn.AvgPool2d</c>: y = (1/D)·Σ window, zero
/// padding, D = kH·kW when <see cref="CountIncludePad"/> (the default) else the in-image taps.
/// </summary>
public class AvgPool2d : Module
{
    /// <summary>Creates the layer; stride defaults to the kernel size.</summary>
    /// <param name="kernelSize">Window size (square).</param>
    /// <param name="stride">Step between windows; null for the kernel size.</param>
    /// <param name="padding">Zero padding on each side (at most half the kernel).</param>
    /// <param name="countIncludePad">Whether padded zeros count in the divisor.</param>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CountIncludePad = countIncludePad;
        ArgumentOutOfRangeException.ThrowIfLessThan(Stride, 1, nameof(stride));
        if (padding < 0 || 2 * padding > kernelSize)
            throw new ArgumentException($"padding {padding} must be between 0 and half the kernel {kernelSize}", nameof(padding));
    }

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Whether padded zeros count in the divisor (PyTorch's <c>count_include_pad</c>).</summary>
    public bool CountIncludePad { get; }

    /// <summary>x [N, C, H, W] → [N, C, OH, OW].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.AvgPool2d(KernelSize, Stride, Padding, CountIncludePad);
    }

    /// <summary><c>AvgPool2d(2x2, stride 2)</c>.</summary>
    public override string Describe() => $"AvgPool2d({KernelSize}x{KernelSize}, stride {Stride}" + (Padding == 0 ? ")" : $", padding {Padding})");
}
