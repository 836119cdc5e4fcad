using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// 2-D convolution over NCHW batches, as PyTorch's <c>nn.Conv2d</c>:
/// y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c] with stride, zero padding and dilation.
/// Parameters <c>weight</c> [out, in, kH, kW] and <c>bias</c> [out].
/// </summary>
/// <remarks>
/// Default initialization is PyTorch's kaiming_uniform(a = √5), which reduces to
/// W ~ U(−1/√fan_in, 1/√fan_in) and b ~ U(−1/√fan_in, 1/√fan_in) with fan_in = in·kH·kW.
/// </remarks>
/// <example><code>
/// var conv = new Conv2d(1, 32, 5, rng, padding: 2);   // [N, 1, 28, 28] → [N, 32, 28, 28]
/// </code></example>
public class Conv2d : Module
{
    /// <summary>Creates the layer with a (kH, kW) kernel.</summary>
    /// <param name="inChannels">Channels C of the input.</param>
    /// <param name="outChannels">Channels O of the output (number of filters).</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="rng">Seeded source for the initial weights.</param>
    /// <param name="stride">Step between windows (vertical, horizontal).</param>
    /// <param name="padding">Zero rows/columns added on each side.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, Rng rng,
        (int H, int W)? stride = null, (int H, int W)? padding = null, (int H, int W)? dilation = null, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentNullException.ThrowIfNull(rng);
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"kernel size must be positive, got {kernelSize}", nameof(kernelSize));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? (1, 1);
        Padding = padding ?? (0, 0);
        Dilation = dilation ?? (1, 1);
        if (Stride.H < 1 || Stride.W < 1) throw new ArgumentException($"stride must be positive, got {Stride}", nameof(stride));
        if (Padding.H < 0 || Padding.W < 0) throw new ArgumentException($"padding must not be negative, got {Padding}", nameof(padding));
        if (Dilation.H < 1 || Dilation.W < 1) throw new ArgumentException($"dilation must be positive, got {Dilation}", nameof(dilation));
        float bound = 1f / MathF.Sqrt(inChannels * kernelSize.H * kernelSize.W);
        Weight = Tensor.Owned(new Shape(outChannels, inChannels, kernelSize.H, kernelSize.W));
        rng.FillUniform(Weight.AsSpan(), -bound, bound);
        RegisterParameter("weight", Weight, ParameterRole.Weight);
        if (bias)
        {
            Bias = Tensor.Owned(new Shape(outChannels));
            rng.FillUniform(Bias.AsSpan(), -bound, bound);
            RegisterParameter("bias", Bias, ParameterRole.Bias);
        }
    }

    /// <summary>Creates the layer with a square kernel and equal stride, padding and dilation on both axes.</summary>
    /// <param name="inChannels">Channels C of the input.</param>
    /// <param name="outChannels">Channels O of the output (number of filters).</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="rng">Seeded source for the initial weights.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zero rows/columns added on each side.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, int dilation = 1, bool bias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), rng, (stride, stride), (padding, padding), (dilation, dilation), bias)
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

    /// <summary>Zero padding (rows, columns) on each side.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Dilation (vertical, horizontal).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>
    /// How the forward product and the input gradient are computed: <see cref="ConvAlgorithm.Auto"/> (default)
    /// runs Winograd F(2×2, 3×3) for 3×3 stride-1 layers with ≥ 16 input and output channels, which differs
    /// from the direct sum by rounding only (≈ 1e-6 relative); <see cref="ConvAlgorithm.Direct"/> gives bitwise
    /// the im2col results. Not saved with the model.
    /// </summary>
    public ConvAlgorithm Algorithm { get; set; } = ConvAlgorithm.Auto;

    /// <summary>The filters W, shape [out, in, kH, kW].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias b, shape [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>y = conv2d(x, W) + b for x [N, in, H, W] → [N, out, OH, OW].</summary>
    /// <exception cref="ShapeMismatchException">x is not [N, in, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ShapeMismatchException($"{Describe()} expects input [N, {InChannels}, H, W], got {input.Shape}");
        return input.Conv2d(Weight, Bias, Stride, Padding, Dilation, Algorithm);
    }

    /// <summary><c>Conv2d(1 → 32, 5x5, stride 1x1, padding 2x2)</c>.</summary>
    public override string Describe()
        => $"Conv2d({InChannels} → {OutChannels}, {KernelSize.H}x{KernelSize.W}, stride {Stride.H}x{Stride.W}, padding {Padding.H}x{Padding.W}"
           + (Dilation == (1, 1) ? "" : $", dilation {Dilation.H}x{Dilation.W}") + (Bias is null ? ", no bias)" : ")");
}
