using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A learned table of position vectors (parameter <c>weight</c> [maxLength, E], drawn N(0, 1) like
/// PyTorch's <c>nn.Embedding</c>, which is what a PyTorch twin would use for it).
/// </summary>
public sealed class LearnedPositionalEncoding : PositionalEncoding
{
    /// <summary>A learned table for <paramref name="maxLength"/> positions.</summary>
    /// <param name="embedDim">E.</param>
    /// <param name="maxLength">Positions in the table.</param>
    /// <param name="rng">Seeded source of the initial values.</param>
    /// <param name="init">Initializer; null for N(0, 1).</param>
    public LearnedPositionalEncoding(int embedDim, int maxLength, Rng rng, IInitializer? init = null) : base(maxLength, embedDim)
    {
        ArgumentNullException.ThrowIfNull(rng);
        using (TensorScope.Suspend())
        {
            var w = Tensor.Owned(new Shape(maxLength, embedDim));
            if (init is null) rng.FillNormal(w.AsSpan());
            else init.Initialize(w, rng);
            Weight = RegisterParameter("weight", w, ParameterRole.Weight);
        }
    }

    /// <summary>The table [maxLength, E].</summary>
    public Tensor Weight { get; }

    /// <inheritdoc/>
    protected override Tensor Table => Weight;
}
