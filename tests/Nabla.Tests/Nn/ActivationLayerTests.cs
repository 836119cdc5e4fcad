using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Nn;

public class ActivationLayerTests
{
    public static TheoryData<string> SmoothOrKinked => ["relu", "sigmoid", "tanh", "gelu", "elu", "leaky_relu", "prelu", "softmax", "log_softmax", "linear"];

    [Theory]
    [MemberData(nameof(SmoothOrKinked))]
    public void Modules_from_the_factory_pass_gradient_check(string name)
    {
        var module = Activation.Create(name);
        // Kinks at 0 for relu-like functions: keep samples away from them.
        var x = GradAssert.AwayFrom(GradAssert.Param(new Rng(1), 1.5f, 3, 5), 0f, 0.05f);
        var inputs = new List<Tensor> { x };
        inputs.AddRange(module.Parameters());
        GradAssert.Passes(a => module.Forward(a[0]), [.. inputs]);
    }

    [Fact]
    public void Modules_compute_the_same_values_as_the_tensor_functions()
    {
        var x = Tensor.Randn(new Shape(4, 6), new Rng(2));
        Assert.Equal(x.Relu().ToArray(), new ReLU().Forward(x).ToArray());
        Assert.Equal(x.Sigmoid().ToArray(), new Sigmoid().Forward(x).ToArray());
        Assert.Equal(x.Tanh().ToArray(), new Tanh().Forward(x).ToArray());
        Assert.Equal(x.Gelu().ToArray(), new GELU().Forward(x).ToArray());
        Assert.Equal(x.Elu(0.5f).ToArray(), new ELU(0.5f).Forward(x).ToArray());
        Assert.Equal(x.LeakyRelu(0.2f).ToArray(), new LeakyReLU(0.2f).Forward(x).ToArray());
        Assert.Equal(x.Softmax(0).ToArray(), new Softmax(0).Forward(x).ToArray());
        Assert.Equal(x.LogSoftmax().ToArray(), new LogSoftmax().Forward(x).ToArray());
        Assert.Equal(x.Step().ToArray(), new Step().Forward(x).ToArray());
        Assert.Same(x, new Identity().Forward(x));
    }

    [Fact]
    public void Step_is_one_strictly_above_zero()
    {
        Assert.Equal([0f, 0f, 1f], new Step().Forward(Tensor.FromArray([-1f, 0f, 0.1f], 3)).ToArray());
    }

    [Fact]
    public void Threshold_keeps_values_strictly_above_theta_and_replaces_the_rest()
    {
        var x = Tensor.FromArray([0.2f, 0.5f, 0.7f, -1f], 4);
        Assert.Equal([0f, 0f, 0.7f, 0f], new Threshold(0.5f).Forward(x).ToArray());
        Assert.Equal([-9f, -9f, 0.7f, -9f], new Threshold(0.5f, -9f).Forward(x).ToArray());
        var p = GradAssert.Param(new Rng(3), 1f, 8);
        GradAssert.Passes(a => new Threshold(0.3f).Forward(a[0]), GradAssert.AwayFrom(p, 0.3f, 0.05f));
    }

    [Fact]
    public void PReLU_is_max_zero_x_plus_a_min_zero_x_with_learned_a()
    {
        var prelu = new PReLU();
        Assert.Equal([0.25f], prelu.Weight.ToArray());
        Assert.Equal(["weight"], prelu.NamedParameters().Select(p => p.Name));
        Assert.Equal([-0.5f, 0f, 3f], prelu.Forward(Tensor.FromArray([-2f, 0f, 3f], 3)).ToArray());
    }

    [Fact]
    public void PReLU_per_channel_slopes_apply_to_axis_one_and_pass_gradient_check()
    {
        var rng = new Rng(4);
        var prelu = new PReLU(3, 0.1f);
        prelu.Weight.AsSpan()[2] = 0.5f;
        var y = prelu.Forward(Tensor.Full(new Shape(2, 3, 2), -1f)).ToArray();
        Assert.Equal([-0.1f, -0.1f, -0.1f, -0.1f, -0.5f, -0.5f], y.Take(6));
        var x = GradAssert.AwayFrom(GradAssert.Param(rng, 1f, 2, 3, 4), 0f, 0.05f);
        GradAssert.Passes(a => prelu.Forward(a[0]), x, prelu.Weight);
        var x2 = GradAssert.AwayFrom(GradAssert.Param(rng, 1f, 5, 3), 0f, 0.05f);
        GradAssert.Passes(a => prelu.Forward(a[0]), x2, prelu.Weight);
        Assert.Throws<ShapeMismatchException>(() => prelu.Forward(Tensor.Zeros(2, 4)));
    }

    [Fact]
    public void Factory_maps_names_case_insensitively_and_lists_known_names_for_unknown_ones()
    {
        Assert.IsType<ReLU>(Activation.Create("ReLU"));
        Assert.IsType<Identity>(Activation.Create("linear"));
        Assert.IsType<Identity>(Activation.Create("identity"));
        Assert.IsType<LeakyReLU>(Activation.Create("leaky_relu"));
        Assert.IsType<Step>(Activation.Create("step"));
        var ex = Assert.Throws<ArgumentException>(() => Activation.Create("swish"));
        Assert.Contains("swish", ex.Message, StringComparison.Ordinal);
        Assert.Contains("relu, sigmoid, tanh", ex.Message, StringComparison.Ordinal);
        foreach (var name in Activation.Names) Assert.NotNull(Activation.Create(name));
    }
}
