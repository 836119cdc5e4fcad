using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// PyTorch's name for <see cref="Dense"/>: y = x·Wᵀ + b with weight <c>[out, in]</c>; same
/// behavior, initialization and state-dict names.
/// </summary>
public sealed class Linear : Dense
{
    /// <summary>As <c>nn.Linear(inFeatures, outFeatures, bias)</c>, initialized from <paramref name="rng"/>.</summary>
    /// <param name="inFeatures">Size of the last input axis.</param>
    /// <param name="outFeatures">Number of output units.</param>
    /// <param name="rng">Seeded source for the initial weights.</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    /// <param name="weightInit">Weight initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    /// <param name="biasInit">Bias initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true, IInitializer? weightInit = null, IInitializer? biasInit = null)
        : base(inFeatures, outFeatures, rng, bias, weightInit, biasInit)
    {
    }
}
