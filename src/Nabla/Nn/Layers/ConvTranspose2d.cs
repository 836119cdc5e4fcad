using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Transposed 2-D convolution over NCHW batches, as PyTorch's <c>nn.ConvTranspose2d</c>: the
/// gradient of a convolution with respect to its input, a learned upsampling (a generator's
/// "deconvolution"). Parameters <c>weight</c> [in, out/groups, kH, kW] and <c>bias</c> [out].
/// Output size per axis: <c>(in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1</c>,
/// so <c>ConvTranspose2d(c, c', 4, stride: 2, padding: 1)</c> doubles height and width.
/// </summary>
/// <remarks>
/// Default initialization is PyTorch's kaiming_uniform(a = √5): W and b ~ U(−1/√fan_in, 1/√fan_in)
/// with fan_in = (out/groups)·kH·kW — PyTorch reads fan_in from the weight's second axis.
/// </remarks>
/// <example><code>
/// var up = new ConvTranspose2d(64, 32, 4, rng, stride: 2, padding: 1);   // [N, 64, 7, 7] → [N, 32, 14, 14]
/// </code></example>
public class ConvTranspose2d : Module
{
    /// <summary>Creates the layer with a (kH, kW) kernel.</summary>
    /// <param name="inChannels">Channels C of the input.</param>
    /// <param name="outChannels">Channels O of the output.</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="rng">Seeded source for the initial weights.</param>
    /// <param name="stride">Spacing of the input pixels on the output grid (vertical, horizontal).</param>
    /// <param name="padding">Rows/columns removed from each border of the full output (PyTorch's padding).</param>
    /// <param name="outputPadding">Rows/columns added at the bottom/right of the output (smaller than the stride or the dilation).</param>
    /// <param name="groups">Channel groups: input block g feeds only output block g (C and O divisible by it).</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    public ConvTranspose2d(int inChannels, int outChannels, (int H, int W) kernelSize, Rng rng,
        (int H, int W)? stride = null, (int H, int W)? padding = null, (int H, int W)? outputPadding = null, int groups = 1,
        bool bias = true, (int H, int W)? dilation = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentNullException.ThrowIfNull(rng);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"in_channels {inChannels} and out_channels {outChannels} must be divisible by groups {groups}", nameof(groups));
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"kernel size must be positive, got {kernelSize}", nameof(kernelSize));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? (1, 1);
        Padding = padding ?? (0, 0);
        OutputPadding = outputPadding ?? (0, 0);
        Dilation = dilation ?? (1, 1);
        Groups = groups;
        if (Stride.H < 1 || Stride.W < 1) throw new ArgumentException($"stride must be positive, got {Stride}", nameof(stride));
        if (Padding.H < 0 || Padding.W < 0) throw new ArgumentException($"padding must not be negative, got {Padding}", nameof(padding));
        if (Dilation.H < 1 || Dilation.W < 1) throw new ArgumentException($"dilation must be positive, got {Dilation}", nameof(dilation));
        if (OutputPadding.H < 0 || OutputPadding.W < 0
            || (OutputPadding.H >= Stride.H && OutputPadding.H >= Dilation.H) || (OutputPadding.W >= Stride.W && OutputPadding.W >= Dilation.W))
            throw new ArgumentException($"output padding {OutputPadding} must be ≥ 0 and smaller than either the stride {Stride} or the dilation {Dilation}", nameof(outputPadding));
        int perGroup = outChannels / groups;
        float bound = 1f / MathF.Sqrt(perGroup * kernelSize.H * kernelSize.W);
        Weight = Tensor.Owned(new Shape(inChannels, perGroup, kernelSize.H, kernelSize.W));
        rng.FillUniform(Weight.AsSpan(), -bound, bound);
        RegisterParameter("weight", Weight, ParameterRole.Weight);
        if (bias)
        {
            Bias = Tensor.Owned(new Shape(outChannels));
            rng.FillUniform(Bias.AsSpan(), -bound, bound);
            RegisterParameter("bias", Bias, ParameterRole.Bias);
        }
    }

    /// <summary>Creates the layer with a square kernel and the same stride, padding, output padding and dilation on both axes.</summary>
    /// <param name="inChannels">Channels C of the input.</param>
    /// <param name="outChannels">Channels O of the output.</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="rng">Seeded source for the initial weights.</param>
    /// <param name="stride">Spacing of the input pixels on the output grid.</param>
    /// <param name="padding">Rows/columns removed from each border of the full output.</param>
    /// <param name="outputPadding">Rows/columns added at the bottom/right of the output.</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0,
        int outputPadding = 0, int groups = 1, bool bias = true, int dilation = 1)
        : this(inChannels, outChannels, (kernelSize, kernelSize), rng, (stride, stride), (padding, padding),
            (outputPadding, outputPadding), groups, bias, (dilation, dilation))
    {
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel (height, width).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride (vertical, horizontal).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Padding (rows, columns) removed from each border.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Extra (rows, columns) at the bottom and right.</summary>
    public (int H, int W) OutputPadding { get; }

    /// <summary>Dilation (vertical, horizontal).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The filters W, shape [in, out/groups, kH, kW].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias b, shape [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>y = conv_transpose2d(x, W) + b for x [N, in, H, W] → [N, out, OH, OW].</summary>
    /// <exception cref="ShapeMismatchException">x is not [N, in, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ShapeMismatchException($"{Describe()} expects input [N, {InChannels}, H, W], got {input.Shape}");
        return input.ConvTranspose2d(Weight, Bias, Stride, Padding, OutputPadding, Dilation, Groups);
    }

    /// <summary><c>ConvTranspose2d(64 → 32, 4x4, stride 2x2, padding 1x1)</c>.</summary>
    public override string Describe()
        => $"ConvTranspose2d({InChannels} → {OutChannels}, {KernelSize.H}x{KernelSize.W}, stride {Stride.H}x{Stride.W}, padding {Padding.H}x{Padding.W}"
           + (OutputPadding == (0, 0) ? "" : $", output padding {OutputPadding.H}x{OutputPadding.W}")
           + (Dilation == (1, 1) ? "" : $", dilation {Dilation.H}x{Dilation.W}")
           + (Groups == 1 ? "" : $", groups {Groups}") + (Bias is null ? ", no bias)" : ")");
}
