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
        Assert.Equal(5, model.Count); // dense, relu, dropout, batchnorm, dense
        Assert.Equal(new Shape(32, 64), ((Dense)model[0]).Weight.Shape);
        Assert.IsType<ReLU>(model[1]);
        Assert.Equal(new Shape(10, 32), ((Dense)model[4]).Weight.Shape);
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "4.weight", "4.bias"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(5, 10), model.Forward(Tensor.Zeros(5, 64)).Shape);
    }

    [Fact]
    public void Activation_names_are_layers_too()
    {
        var model = ModelBuilder.Build(ModelSpec.Parse("flatten dense(8) tanh dense(2) leaky_relu(0.2)"), new Shape(1, 2, 3), new Rng(1));
        Assert.IsType<Tanh>(model[2]);
        Assert.IsType<LeakyReLU>(model[4]);
    }

    [Fact]
    public void The_lenet_spec_builds_the_modules_of_its_pytorch_twin_in_order()
    {
        // PyTorch twin: Sequential(Conv2d(1,32,5,padding=2), ReLU(), MaxPool2d(2), Conv2d(32,64,5,padding=2), ReLU(),
        //               MaxPool2d(2), Flatten(), Linear(3136,128), ReLU(), Linear(128,10))
        var model = ModelBuilder.Build(
            ModelSpec.Parse("conv(32,5,pad=2,relu) maxpool(2) conv(64,5,pad=2,relu) maxpool(2) flatten dense(128,relu) dense(10)"),
            new Shape(1, 1, 28, 28), new Rng(1));
        var state = model.StateDict();
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"], state.Keys);
        Assert.Equal(new Shape(32, 1, 5, 5), state["0.weight"].Shape);
        Assert.Equal(new Shape(64, 32, 5, 5), state["3.weight"].Shape);
        Assert.Equal(new Shape(128, 3136), state["7.weight"].Shape);
        Assert.Equal(new Shape(2, 10), model.Forward(Tensor.Zeros(2, 1, 28, 28)).Shape);
        var bn = ModelBuilder.Build(ModelSpec.Parse("conv(4,3) batchnorm gap dense(2)"), new Shape(1, 3, 8, 8), new Rng(1));
        Assert.IsType<BatchNorm2d>(bn[1]);
    }

    [Theory]
    [InlineData("dense(10) dens(3)", "column 11: unknown layer 'dens' (known:")]
    [InlineData("dense(0)", "at least 1 unit")]
    [InlineData("dropout(1.5)", "dropout probability must be in [0, 1)")]
    [InlineData("dense(10,wobbly)", "unknown activation 'wobbly'")]
    [InlineData("relu(3)", "relu takes no arguments")]
    [InlineData("conv(8,3)", "conv needs images")]
    public void Bad_layers_are_reported_with_their_column(string spec, string message)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelBuilder.Build(ModelSpec.Parse(spec), new Shape(1, 4), new Rng(1)));
        Assert.Contains(message, e.Message);
    }
}
