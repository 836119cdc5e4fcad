using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class ModuleTests
{
    [Fact]
    public void Layers_declare_what_each_parameter_is_for()
    {
        var rng = new Rng(1);
        var model = new Sequential(new Conv2d(1, 2, 3, rng), new BatchNorm2d(2), new Flatten(), new Dense(2, 3, rng),
            new PReLU(), new Conv1d(1, 1, 2, rng), new Perceptron(3));
        Assert.Equal(
        [
            ("0.weight", ParameterRole.Weight), ("0.bias", ParameterRole.Bias), ("1.weight", ParameterRole.Norm), ("1.bias", ParameterRole.Norm),
            ("3.weight", ParameterRole.Weight), ("3.bias", ParameterRole.Bias), ("4.weight", ParameterRole.Other),
            ("5.weight", ParameterRole.Weight), ("5.bias", ParameterRole.Bias), ("6.weight", ParameterRole.Weight), ("6.bias", ParameterRole.Bias),
        ], model.NamedParameters().Select(p => (p.Name, p.Role)));
        var named = model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        Assert.Equal([named["0.weight"], named["3.weight"], named["5.weight"], named["6.weight"]], model.Parameters(ParameterRole.Weight));
        Assert.Equal([named["1.weight"], named["1.bias"]], model.Parameters(ParameterRole.Norm));
    }

    [Fact]
    public void Named_parameters_deconstruct_into_name_and_tensor_like_pytorchs_pairs()
    {
        var layer = new Dense(2, 1, new Rng(2));
        var (name, tensor) = layer.NamedParameters().First();
        Assert.Equal("weight", name);
        Assert.Same(layer.Parameters().First(), tensor);
    }
}
