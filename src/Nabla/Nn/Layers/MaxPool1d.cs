using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Max pooling over NCL batches, as PyTorch's <c>nn.MaxPool1d</c>; gradient to the first maximum.</summary>
public class MaxPool1d : Module
{
    /// <summary>Creates the layer; stride defaults to the kernel size.</summary>
    /// <param name="kernelSize">Window length.</param>
    /// <param name="stride">Step between windows; null for the kernel size.</param>
    /// <param name="padding">−∞ entries added at each end (at most half the kernel).</param>
    public MaxPool1d(int kernelSize, int? stride = null, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        ArgumentOutOfRangeException.ThrowIfLessThan(Stride, 1, nameof(stride));
        if (padding < 0 || 2 * padding > kernelSize)
            throw new ArgumentException($"padding {padding} must be between 0 and half the kernel {kernelSize}", nameof(padding));
    }

    /// <summary>Window length.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding at each end.</summary>
    public int Padding { get; }

    /// <summary>x [N, C, L] → [N, C, OL].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.MaxPool1d(KernelSize, Stride, Padding);
    }

    /// <summary><c>MaxPool1d(2, stride 2)</c>.</summary>
    public override string Describe() => $"MaxPool1d({KernelSize}, stride {Stride}" + (Padding == 0 ? ")" : $", padding {Padding})");
}
