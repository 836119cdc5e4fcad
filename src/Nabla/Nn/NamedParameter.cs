using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A parameter as <see cref="Module.NamedParameters"/> lists it: its dotted state-dict name
/// (<c>0.weight</c>), the tensor and the role its module declared. Deconstructs into
/// <c>(name, tensor)</c> like PyTorch's <c>named_parameters()</c> pairs.
/// </summary>
/// <param name="Name">The dotted name, as in the state dict.</param>
/// <param name="Tensor">The parameter itself (not a copy).</param>
/// <param name="Role">What the parameter is for.</param>
public readonly record struct NamedParameter(string Name, Tensor Tensor, ParameterRole Role)
{
    /// <summary>Deconstructs into the name and the tensor.</summary>
    public void Deconstruct(out string name, out Tensor tensor)
    {
        name = Name;
        tensor = Tensor;
    }
}
