using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.IO;

public class ModelBuilderTests
{
    [Fact]
    public void A_spec_builds_layers_sized_by_the_layers_before_them()
    {
        var model = ModelBuilder.Build(ModelSpec.Parse("dense(32,relu) dropout(0.2) batchnorm dense(10)"), new Shape(1, 64), new Rng(1));
        Assert.Equal(4, model.Count);
        Assert.Equal(new Shape(32, 64), ((Dense)model[0]).Weight.Shape);
        Assert.Equal(new Shape(10, 32), ((Dense)model[3]).Weight.Shape);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(5, 10), model.Forward(Tensor.Zeros(5, 64)).Shape);
    }

    [Fact]
    public void Activation_names_are_layers_too()
    {
        var model = ModelBuilder.Build(ModelSpec.Parse("flatten dense(8) tanh dense(2) leaky_relu(0.2)"), new Shape(1, 2, 3), new Rng(1));
        Assert.IsType<Tanh>(model[2]);
        Assert.IsType<LeakyReLU>(model[4]);
    }

    [Theory]
    [InlineData("dense(10) dens(3)", "column 11: unknown layer 'dens' (known:")]
    [InlineData("dense(0)", "at least 1 unit")]
    [InlineData("dropout(1.5)", "dropout probability must be in [0, 1)")]
    [InlineData("dense(10,wobbly)", "unknown activation 'wobbly'")]
    [InlineData("relu(3)", "relu takes no arguments")]
    public void Bad_layers_are_reported_with_their_column(string spec, string message)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelBuilder.Build(ModelSpec.Parse(spec), new Shape(1, 4), new Rng(1)));
        Assert.Contains(message, e.Message);
    }
}
