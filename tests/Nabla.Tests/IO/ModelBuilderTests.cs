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

    [Theory]
    [InlineData("dense(16,relu,activaton=tanh)", "[1, 4]", "unknown argument 'activaton=' (known: activation=); did you mean 'activation'?")]
    [InlineData("linear(16,units=3)", "[1, 4]", "unknown argument 'units=' (known: activation=)")]
    [InlineData("dense(16,relu,tanh)", "[1, 4]", "dense takes at most 2 positional arguments, got 3 (usage: dense(units, [activation], activation=))")]
    [InlineData("dense(16,relu,activation=tanh)", "[1, 4]", "the activation is given twice")]
    [InlineData("dense(16,rleu)", "[1, 4]", "unknown activation 'rleu' (known: relu,")]
    [InlineData("dropout(0.2,inplace=true)", "[1, 4]", "unknown argument 'inplace=': dropout takes no named arguments (usage: dropout(p))")]
    [InlineData("dropout(0.2,0.3)", "[1, 4]", "dropout takes at most 1 positional argument, got 2")]
    [InlineData("batchnorm(4)", "[1, 4]", "batchnorm takes no positional arguments")]
    [InlineData("bn(momentum=0.1)", "[1, 4]", "unknown argument 'momentum=': bn takes no named arguments")]
    [InlineData("conv(4,3,strid=2)", "[1, 1, 8, 8]", "unknown argument 'strid=' (known: activation=, stride=, pad=, padding=, dilation=, bias=); did you mean 'stride'?")]
    [InlineData("conv2d(4,3,relu,1)", "[1, 1, 8, 8]", "conv2d takes at most 3 positional arguments, got 4")]
    [InlineData("conv1d(4,3,dilaton=2)", "[1, 1, 8]", "did you mean 'dilation'?")]
    [InlineData("conv(4,3,pad=1,padding=1)", "[1, 1, 8, 8]", "pad= and padding= are the same argument")]
    [InlineData("conv(4,3,bias=flase)", "[1, 1, 8, 8]", "bias= takes true or false, got 'flase'")]
    [InlineData("maxpool(2,stide=2)", "[1, 1, 8, 8]", "did you mean 'stride'?")]
    [InlineData("maxpool2d(2,2,1)", "[1, 1, 8, 8]", "maxpool2d takes at most 2 positional arguments")]
    [InlineData("maxpool1d(2,dilation=2)", "[1, 1, 8]", "unknown argument 'dilation=' (known: stride=, pad=, padding=)")]
    [InlineData("avgpool(2,paddin=1)", "[1, 1, 8, 8]", "did you mean 'padding'?")]
    [InlineData("gap(2)", "[1, 1, 8, 8]", "gap takes no positional arguments")]
    [InlineData("globalavgpool(keepdim=true)", "[1, 1, 8, 8]", "unknown argument 'keepdim='")]
    [InlineData("flatten(1)", "[1, 4]", "flatten takes no positional arguments")]
    [InlineData("leaky_relu(0.1,0.2)", "[1, 4]", "leaky_relu takes at most 1 positional argument")]
    [InlineData("elu(alpha=2)", "[1, 4]", "unknown argument 'alpha=': elu takes no named arguments (usage: elu([alpha]))")]
    [InlineData("prelu(1,slope=0.1)", "[1, 4]", "unknown argument 'slope='")]
    [InlineData("threshold(0.1,0,1)", "[1, 4]", "threshold takes at most 2 positional arguments")]
    [InlineData("tanh(inplace=true)", "[1, 4]", "tanh takes no arguments")]
    [InlineData("dens(3)", "[1, 4]", "did you mean 'dense'?")]
    public void Arguments_a_layer_does_not_read_are_refused_naming_the_known_ones(string spec, string shape, string message)
    {
        var dims = shape.Trim('[', ']').Split(", ").Select(int.Parse).ToArray();
        var e = Assert.Throws<ModelSpecException>(() => ModelBuilder.Build(ModelSpec.Parse(spec), new Shape(dims), new Rng(1)));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("model spec, column 1: ", e.Message);
    }

    [Fact]
    public void Every_layer_kind_with_arguments_accepts_its_documented_ones()
    {
        var images = ModelBuilder.Build(ModelSpec.Parse(
            "conv(4,3,relu,stride=1,pad=1,dilation=1,bias=false) conv2d(4,3,activation=tanh,padding=1) maxpool(2,stride=2,pad=0) " +
            "avgpool(2,1,padding=0) gap flatten dense(8,activation=relu) linear(6) dropout(0.1) bn leaky_relu(0.2) elu(1.5) prelu(1) threshold(0.1,0) dense(3)"),
            new Shape(1, 1, 8, 8), new Rng(1));
        Assert.Equal(new Shape(2, 3), images.Forward(Tensor.Zeros(2, 1, 8, 8)).Shape);
        Assert.Null(((Conv2d)images[0]).Bias);
        var sequences = ModelBuilder.Build(ModelSpec.Parse("conv1d(2,3,relu,stride=1,pad=1,dilation=1,bias=true) maxpool1d(2,stride=2,padding=0) flatten dense(2)"),
            new Shape(1, 1, 8), new Rng(1));
        Assert.Equal(new Shape(1, 2), sequences.Forward(Tensor.Zeros(1, 1, 8)).Shape);
    }
}
