using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Adaptive average pooling to a fixed output size, as PyTorch's <c>nn.AdaptiveAvgPool2d</c>:
/// cell (i, j) averages rows ⌊i·H/oh⌋ .. ⌈(i+1)·H/oh⌉ − 1 and the matching columns.
/// </summary>
public class AdaptiveAvgPool2d : Module
{
    /// <summary>Creates the layer for an (outH, outW) output.</summary>
    /// <param name="outputSize">Output height and width.</param>
    public AdaptiveAvgPool2d((int H, int W) outputSize)
    {
        if (outputSize.H < 1 || outputSize.W < 1) throw new ArgumentException($"output size must be positive, got {outputSize}", nameof(outputSize));
        OutputSize = outputSize;
    }

    /// <summary>Creates the layer for a square output; <c>AdaptiveAvgPool2d(1)</c> is global average pooling keeping [N, C, 1, 1].</summary>
    /// <param name="outputSize">Output height and width.</param>
    public AdaptiveAvgPool2d(int outputSize) : this((outputSize, outputSize))
    {
    }

    /// <summary>Output (height, width).</summary>
    public (int H, int W) OutputSize { get; }

    /// <summary>x [N, C, H, W] → [N, C, outH, outW].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.AdaptiveAvgPool2d(OutputSize.H, OutputSize.W);
    }

    /// <summary><c>AdaptiveAvgPool2d(1x1)</c>.</summary>
    public override string Describe() => $"AdaptiveAvgPool2d({OutputSize.H}x{OutputSize.W})";
}
