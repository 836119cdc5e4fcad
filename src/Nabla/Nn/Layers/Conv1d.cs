using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// 1-D convolution over NCL batches, as PyTorch's <c>nn.Conv1d</c>:
/// y[n, o, t] = b[o] + Σ_{c,k} W[o, c, k]·x[n, c, t·s − p + k·d]. Parameters <c>weight</c>
/// [out, in, k] and <c>bias</c> [out], initialized U(−1/√fan_in, 1/√fan_in), fan_in = in·k.
/// </summary>
public class Conv1d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Channels C of the input.</param>
    /// <param name="outChannels">Channels O of the output.</param>
    /// <param name="kernelSize">Kernel length.</param>
    /// <param name="rng">Seeded source for the initial weights.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zeros added at each end.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    public Conv1d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, int dilation = 1, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        ArgumentNullException.ThrowIfNull(rng);
        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize;
        Stride = stride; Padding = padding; Dilation = dilation;
        float bound = 1f / MathF.Sqrt(inChannels * kernelSize);
        Weight = Tensor.Owned(new Shape(outChannels, inChannels, kernelSize));
        rng.FillUniform(Weight.AsSpan(), -bound, bound);
        RegisterParameter("weight", Weight, ParameterRole.Weight);
        if (bias)
        {
            Bias = Tensor.Owned(new Shape(outChannels));
            rng.FillUniform(Bias.AsSpan(), -bound, bound);
            RegisterParameter("bias", Bias, ParameterRole.Bias);
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel length.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding at each end.</summary>
    public int Padding { get; }

    /// <summary>Dilation.</summary>
    public int Dilation { get; }

    /// <summary>The filters W, shape [out, in, k].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias b, shape [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>y = conv1d(x, W) + b for x [N, in, L] → [N, out, OL].</summary>
    /// <exception cref="ShapeMismatchException">x is not [N, in, L].</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Shape[1] != InChannels)
            throw new ShapeMismatchException($"{Describe()} expects input [N, {InChannels}, L], got {input.Shape}");
        return input.Conv1d(Weight, Bias, Stride, Padding, Dilation);
    }

    /// <summary><c>Conv1d(4 → 8, k 3, stride 1, padding 1)</c>.</summary>
    public override string Describe()
        => $"Conv1d({InChannels} → {OutChannels}, k {KernelSize}, stride {Stride}, padding {Padding}" + (Dilation == 1 ? "" : $", dilation {Dilation}") + ")";
}
