namespace Nabla.Kernels;

/// <summary>
/// The sizes of a 2-D convolution or pooling window over NCHW images, validated once so the
/// loops that use it need no checks. Output size per axis:
/// <c>out = ⌊(in + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1</c>.
/// </summary>
public readonly struct ConvGeometry
{
    /// <summary>Input channels.</summary>
    public int Channels { get; }
    /// <summary>Input height.</summary>
    public int Height { get; }
    /// <summary>Input width.</summary>
    public int Width { get; }
    /// <summary>Kernel height.</summary>
    public int KernelH { get; }
    /// <summary>Kernel width.</summary>
    public int KernelW { get; }
    /// <summary>Vertical stride.</summary>
    public int StrideH { get; }
    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; }
    /// <summary>Zero (or −∞ for max pooling) rows added above and below.</summary>
    public int PadH { get; }
    /// <summary>Columns added left and right.</summary>
    public int PadW { get; }
    /// <summary>Vertical spacing between kernel taps.</summary>
    public int DilationH { get; }
    /// <summary>Horizontal spacing between kernel taps.</summary>
    public int DilationW { get; }
    /// <summary>Output height.</summary>
    public int OutH { get; }
    /// <summary>Output width.</summary>
    public int OutW { get; }

    /// <summary>Validates the sizes and computes the output size.</summary>
    /// <exception cref="ArgumentException">A size is not positive, padding is negative, or the window does not fit.</exception>
    public ConvGeometry(int channels, int height, int width, int kernelH, int kernelW,
        int strideH = 1, int strideW = 1, int padH = 0, int padW = 0, int dilationH = 1, int dilationW = 1)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"image size must be positive, got channels={channels}, height={height}, width={width}");
        if (kernelH <= 0 || kernelW <= 0) throw new ArgumentException($"kernel size must be positive, got ({kernelH}, {kernelW})");
        if (strideH <= 0 || strideW <= 0) throw new ArgumentException($"stride must be positive, got ({strideH}, {strideW})");
        if (padH < 0 || padW < 0) throw new ArgumentException($"padding must not be negative, got ({padH}, {padW})");
        if (dilationH <= 0 || dilationW <= 0) throw new ArgumentException($"dilation must be positive, got ({dilationH}, {dilationW})");
        Channels = channels; Height = height; Width = width;
        KernelH = kernelH; KernelW = kernelW; StrideH = strideH; StrideW = strideW;
        PadH = padH; PadW = padW; DilationH = dilationH; DilationW = dilationW;
        int spanH = dilationH * (kernelH - 1) + 1, spanW = dilationW * (kernelW - 1) + 1;
        if (height + 2 * padH < spanH || width + 2 * padW < spanW)
            throw new ArgumentException(
                $"a {kernelH}x{kernelW} window (dilation {dilationH}x{dilationW}, padding {padH}x{padW}) does not fit a {height}x{width} image");
        OutH = (height + 2 * padH - spanH) / strideH + 1;
        OutW = (width + 2 * padW - spanW) / strideW + 1;
    }

    /// <summary>Elements of one input image, C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Output pixels per channel, OH·OW.</summary>
    public int OutPixels => OutH * OutW;

    /// <summary>Rows of the column matrix, C·KH·KW (the GEMM inner dimension).</summary>
    public int PatchSize => Channels * KernelH * KernelW;
}
