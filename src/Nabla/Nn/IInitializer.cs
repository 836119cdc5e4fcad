using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A weight-initialization scheme: fills a parameter tensor in place from a seeded
/// <see cref="Rng"/>. Instances come from <see cref="Init"/> (<c>Init.GlorotUniform()</c>,
/// <c>Init.HeNormal()</c>, …) and are passed to layers such as <see cref="Dense"/>.
/// </summary>
public interface IInitializer
{
    /// <summary>A short name for summaries and error messages, e.g. <c>glorot_uniform</c>.</summary>
    string Name { get; }

    /// <summary>Overwrites every element of the contiguous <paramref name="tensor"/>.</summary>
    /// <param name="tensor">The tensor to fill; its shape gives fan_in/fan_out (see <see cref="Init.Fans"/>).</param>
    /// <param name="rng">The source of randomness; same seed, same values.</param>
    void Initialize(Tensor tensor, Rng rng);
}
