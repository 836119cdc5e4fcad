namespace Nabla.Tensors;

/// <summary>
/// What a tensor knows of the operation that produced it. The autodiff engine
/// (<c>Nabla.Autograd</c>) derives its graph nodes from this; tensors only carry the reference.
/// </summary>
public abstract class GradFunction
{
    /// <summary>A name like PyTorch's, e.g. <c>MatMulBackward</c>.</summary>
    public abstract string Name { get; }
}
