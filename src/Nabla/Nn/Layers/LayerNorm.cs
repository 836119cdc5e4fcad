using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Layer normalization, as PyTorch's <c>nn.LayerNorm</c>: each sample is normalized over its
/// trailing dimensions <see cref="NormalizedShape"/>, y = (x − μ)/√(σ² + ε)·γ + β, with μ and the
/// biased variance σ² of that sample alone (no running statistics, same in training and evaluation).
/// </summary>
/// <remarks>
/// Parameters <c>weight</c> (γ, ones) and <c>bias</c> (β, zeros), shape <see cref="NormalizedShape"/>,
/// when <see cref="ElementwiseAffine"/>. One fused operation (<c>LayerNorm</c> in <c>Nabla.Autograd</c>).
/// </remarks>
/// <example><code>var norm = new LayerNorm(256);   // over the last axis of [B, L, 256]</code></example>
public sealed class LayerNorm : Module
{
    /// <summary>Normalizes over a last axis of size <paramref name="normalizedSize"/>.</summary>
    /// <param name="normalizedSize">Size of the last axis.</param>
    /// <param name="eps">ε added to the variance.</param>
    /// <param name="elementwiseAffine">Whether to learn γ and β.</param>
    public LayerNorm(int normalizedSize, double eps = 1e-5, bool elementwiseAffine = true)
        : this(new Shape(normalizedSize), eps, elementwiseAffine)
    {
    }

    /// <summary>Normalizes over the trailing dimensions <paramref name="normalizedShape"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape is empty or has a dimension &lt; 1, or ε ≤ 0.</exception>
    public LayerNorm(Shape normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
    {
        if (normalizedShape.Rank == 0 || normalizedShape.Numel < 1)
            throw new ArgumentOutOfRangeException(nameof(normalizedShape), $"LayerNorm needs a non-empty normalized shape, got {normalizedShape}");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"LayerNorm eps must be > 0, got {eps}");
        NormalizedShape = normalizedShape;
        Eps = (float)eps;
        ElementwiseAffine = elementwiseAffine;
        if (!elementwiseAffine) return;
        using (TensorScope.Suspend())
        {
            var w = Tensor.Owned(normalizedShape);
            w.AsSpan().Fill(1f);
            Weight = RegisterParameter("weight", w, ParameterRole.Norm);
            Bias = RegisterParameter("bias", Tensor.Owned(normalizedShape), ParameterRole.Norm);
        }
    }

    /// <summary>The trailing dimensions normalized together.</summary>
    public Shape NormalizedShape { get; }

    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Whether γ and β are learned.</summary>
    public bool ElementwiseAffine { get; }

    /// <summary>γ, or null without affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>β, or null without affine parameters.</summary>
    public Tensor? Bias { get; }

    /// <summary>
    /// True when normalizing over the last axis only: each position is then normalized separately and a
    /// padding mask passes through (see <see cref="Module.SupportsMasking"/>).
    /// </summary>
    public override bool SupportsMasking => NormalizedShape.Rank == 1;

    /// <summary>Normalizes each sample over the trailing dimensions.</summary>
    /// <exception cref="ShapeMismatchException">The input does not end with <see cref="NormalizedShape"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LayerNorm(NormalizedShape, Weight, Bias, Eps);
    }

    /// <summary><c>LayerNorm(256)</c>.</summary>
    public override string Describe()
    {
        string dims = NormalizedShape.Rank == 1 ? NormalizedShape[0].ToString(CultureInfo.InvariantCulture) : NormalizedShape.ToString();
        return $"LayerNorm({dims})";
    }
}
