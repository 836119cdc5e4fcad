using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A module whose parameter shapes may depend on its input's shape (Keras' <c>Dense(256)</c>
/// learns its input size at build time). <see cref="Sequential.Build"/> walks its children,
/// building each with the shape the previous ones produce. Build before handing the parameters
/// to an optimizer: an unbuilt module has none.
/// </summary>
public interface ILazyModule
{
    /// <summary>True once every parameter exists.</summary>
    bool IsBuilt { get; }

    /// <summary>
    /// Creates the parameters for inputs of <paramref name="inputShape"/> (the full batch shape,
    /// batch axis first). On an already built module it only checks that the shape fits.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shape does not fit the existing parameters.</exception>
    void Build(Shape inputShape, Rng rng);
}
