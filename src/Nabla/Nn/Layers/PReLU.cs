using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Parametric ReLU y = max(0, x) + a·min(0, x) with a learned slope a (parameter <c>weight</c>, as
/// PyTorch's <c>nn.PReLU</c>). With one parameter a is shared; with C parameters there is one per
/// channel, channel = axis 1 of <c>[N, C, …]</c>.
/// </summary>
public sealed class PReLU : Module
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    private readonly Tensor _weight;

    /// <summary>A PReLU with <paramref name="numParameters"/> slopes, each starting at <paramref name="init"/>.</summary>
    /// <param name="numParameters">1 (shared) or the number of channels C.</param>
    /// <param name="init">Initial slope (0.25 as in PyTorch).</param>
    public PReLU(int numParameters = 1, double init = 0.25)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numParameters, 1);
        using (TensorScope.Suspend())
        {
            var w = Tensor.Owned(new Shape(numParameters));
            w.AsSpan().Fill((float)init);
            // Not a Weight: decaying the slopes pulls PReLU towards ReLU (PyTorch's docs advise against it).
            _weight = RegisterParameter("weight", w, ParameterRole.Other);
        }
    }

    /// <summary>The learned slopes a, shape <c>[numParameters]</c>.</summary>
    public Tensor Weight => _weight;

    /// <summary>Applies y = relu(x) + a·(x − relu(x)), a broadcast over channel axis 1.</summary>
    /// <exception cref="ShapeMismatchException">Per-channel slopes and axis 1 differ in size.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var a = _weight;
        int c = a.Numel;
        if (c > 1)
        {
            if (input.Rank < 2 || input.Shape[1] != c)
                throw new ShapeMismatchException($"PReLU has {c} channel slopes but the input {input.Shape} has no axis 1 of size {c}");
            // [C] → [C, 1, …, 1] so it lines up with axis 1 when broadcast against [N, C, …].
            Span<int> dims = stackalloc int[input.Rank - 1];
            dims.Fill(1);
            dims[0] = c;
            a = a.Reshape(dims);
        }
        var positive = input.Relu();
        // min(0, x) = x − max(0, x): two existing differentiable ops, no new backward rule.
        return positive + a * (input - positive);
    }

    /// <summary><c>PReLU(1)</c> or <c>PReLU(64)</c>.</summary>
    public override string Describe() => $"PReLU({_weight.Numel.ToString(CultureInfo.InvariantCulture)})";
}
