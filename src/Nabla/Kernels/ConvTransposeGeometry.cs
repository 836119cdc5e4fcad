namespace Nabla.Kernels;

/// <summary>
/// The sizes of a transposed 2-D convolution (PyTorch's <c>conv_transpose2d</c>) over NCHW
/// batches, validated once. Output size per axis:
/// <c>out = (in − 1)·stride − 2·pad + dilation·(kernel − 1) + outputPadding + 1</c>.
/// </summary>
/// <remarks>
/// A transposed convolution is the adjoint of the convolution <see cref="Inner"/> that maps an
/// output-sized image (one group's <c>OutChannels/groups</c> channels, OH×OW) back to the input
/// grid. That convolution yields <c>H + ⌊outputPadding/stride⌋</c> rows; when output padding
/// reaches the stride (allowed when the dilation is larger) the input is read as if zero-padded at
/// the bottom and right to that size (<see cref="Padded"/>).
/// </remarks>
public readonly struct ConvTransposeGeometry
{
    /// <summary>Input channels (all groups).</summary>
    public int InChannels { get; }
    /// <summary>Output channels (all groups).</summary>
    public int OutChannels { get; }
    /// <summary>Channel groups: input channel block g connects only to output channel block g.</summary>
    public int Groups { get; }
    /// <summary>Input height.</summary>
    public int Height { get; }
    /// <summary>Input width.</summary>
    public int Width { get; }
    /// <summary>Output height.</summary>
    public int OutH { get; }
    /// <summary>Output width.</summary>
    public int OutW { get; }
    /// <summary>The convolution (per group) whose adjoint this is: from the OH×OW output grid to the input grid.</summary>
    public ConvGeometry Inner { get; }

    /// <summary>Validates the sizes and computes the output size.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the channels do not divide into the groups,
    /// the output padding is not smaller than the stride or the dilation, or the output would be empty.</exception>
    public ConvTransposeGeometry(int inChannels, int outChannels, int groups, int height, int width, int kernelH, int kernelW,
        int strideH = 1, int strideW = 1, int padH = 0, int padW = 0, int outputPadH = 0, int outputPadW = 0,
        int dilationH = 1, int dilationW = 1)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"sizes must be positive, got in={inChannels}, out={outChannels}, groups={groups}, height={height}, width={width}");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{inChannels} input and {outChannels} output channels do not divide into {groups} groups");
        if (kernelH <= 0 || kernelW <= 0) throw new ArgumentException($"kernel size must be positive, got ({kernelH}, {kernelW})");
        if (strideH <= 0 || strideW <= 0) throw new ArgumentException($"stride must be positive, got ({strideH}, {strideW})");
        if (dilationH <= 0 || dilationW <= 0) throw new ArgumentException($"dilation must be positive, got ({dilationH}, {dilationW})");
        if (padH < 0 || padW < 0) throw new ArgumentException($"padding must not be negative, got ({padH}, {padW})");
        if (outputPadH < 0 || outputPadW < 0) throw new ArgumentException($"output padding must not be negative, got ({outputPadH}, {outputPadW})");
        if ((outputPadH >= strideH && outputPadH >= dilationH) || (outputPadW >= strideW && outputPadW >= dilationW))
            throw new ArgumentException(
                $"output padding ({outputPadH}, {outputPadW}) must be smaller than either the stride ({strideH}, {strideW}) or the dilation ({dilationH}, {dilationW})");
        int oh = (height - 1) * strideH - 2 * padH + dilationH * (kernelH - 1) + outputPadH + 1;
        int ow = (width - 1) * strideW - 2 * padW + dilationW * (kernelW - 1) + outputPadW + 1;
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"a {height}x{width} input with padding ({padH}, {padW}) gives an empty {oh}x{ow} output");
        InChannels = inChannels; OutChannels = outChannels; Groups = groups;
        Height = height; Width = width; OutH = oh; OutW = ow;
        Inner = new ConvGeometry(outChannels / groups, oh, ow, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW);
    }

    /// <summary>Input channels per group.</summary>
    public int InPerGroup => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int OutPerGroup => OutChannels / Groups;

    /// <summary>Elements of one input image, C·H·W.</summary>
    public int InputSize => InChannels * Height * Width;

    /// <summary>Elements of one output image, O·OH·OW.</summary>
    public int OutputSize => OutChannels * OutH * OutW;

    /// <summary>Elements of the weight, <c>[in, out/groups, kH, kW]</c>.</summary>
    public int WeightSize => InChannels * Inner.PatchSize;

    /// <summary>True when output padding makes the inner convolution's grid larger than the input (read as zero-padded).</summary>
    public bool Padded => Inner.OutH != Height || Inner.OutW != Width;
}
