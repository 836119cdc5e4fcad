using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Nn;

public class DenseTests
{
    [Fact]
    public void Forward_computes_x_times_w_transposed_plus_b()
    {
        var layer = Dense.FromWeights(Tensor.FromArray(new float[,] { { 1, 2, 3 }, { -1, 0, 2 } }), Tensor.FromArray([0.5f, -1f], 2));
        var y = layer.Forward(Tensor.FromArray(new float[,] { { 1, 1, 1 }, { 2, 0, -1 } }));
        Assert.Equal([6.5f, 0f, -0.5f, -5f], y.ToArray());
        Assert.Equal(new Shape(2, 2), y.Shape);
    }

    [Fact]
    public void Default_init_is_pytorch_uniform_one_over_root_in_for_weight_and_bias()
    {
        var layer = new Dense(400, 300, new Rng(1));
        float b = 1 / MathF.Sqrt(400);
        Assert.All(layer.Weight.ToArray(), v => Assert.InRange(v, -b, b));
        Assert.All(layer.Bias!.ToArray(), v => Assert.InRange(v, -b, b));
        Assert.True(layer.Weight.ToArray().Max() > 0.99f * b);
        Assert.True(layer.Bias!.ToArray().Max() > 0.9f * b);
        Assert.Equal(new Shape(300, 400), layer.Weight.Shape);
        Assert.Equal(new Shape(300), layer.Bias!.Shape);
    }

    [Fact]
    public void Given_initializers_are_used_and_no_bias_means_no_bias_parameter()
    {
        var layer = new Dense(5, 4, new Rng(1), bias: false, weightInit: Init.Constant(0.25f));
        Assert.All(layer.Weight.ToArray(), v => Assert.Equal(0.25f, v));
        Assert.Null(layer.Bias);
        Assert.Equal(["weight"], layer.NamedParameters().Select(p => p.Name));
        var withZeroBias = new Dense(5, 4, new Rng(1), biasInit: Init.Zeros());
        Assert.All(withZeroBias.Bias!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Same_seed_gives_the_same_layer()
    {
        Assert.Equal(new Dense(7, 3, new Rng(5)).Weight.ToArray(), new Dense(7, 3, new Rng(5)).Weight.ToArray());
    }

    [Fact]
    public void Gradients_match_finite_differences_for_2d_input()
    {
        var rng = new Rng(11);
        var layer = new Dense(4, 3, rng);
        var x = GradAssert.Param(rng, 1f, 5, 4);
        GradAssert.Passes(a => layer.Forward(a[0]), x, layer.Weight, layer.Bias!);
    }

    [Fact]
    public void Gradients_match_finite_differences_for_3d_input_and_with_an_activation()
    {
        var rng = new Rng(12);
        var layer = new Dense(4, 3, rng, activation: "tanh");
        var x = GradAssert.Param(rng, 1f, 2, 3, 4);
        Assert.Equal(new Shape(2, 3, 3), layer.Forward(x).Shape);
        GradAssert.Passes(a => layer.Forward(a[0]), x, layer.Weight, layer.Bias!);
    }

    [Fact]
    public void Wrong_input_width_names_both_shapes()
    {
        var layer = new Dense(4, 3, new Rng(1));
        var ex = Assert.Throws<ShapeMismatchException>(() => layer.Forward(Tensor.Zeros(2, 5)));
        Assert.Contains("[2, 5]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lazy_layer_has_no_parameters_and_refuses_forward_until_built()
    {
        var layer = new Dense(8, "relu");
        Assert.False(layer.IsBuilt);
        Assert.Empty(layer.Parameters());
        var ex = Assert.Throws<InvalidOperationException>(() => layer.Forward(Tensor.Zeros(2, 3)));
        Assert.Contains("Build", ex.Message, StringComparison.Ordinal);
        layer.Build(new Shape(2, 3), new Rng(1));
        Assert.True(layer.IsBuilt);
        Assert.Equal(3, layer.InFeatures);
        Assert.Equal(new Shape(8, 3), layer.Weight.Shape);
        Assert.All(layer.Forward(Tensor.Randn(new Shape(4, 3), new Rng(2))).ToArray(), v => Assert.True(v >= 0));
        Assert.Throws<ShapeMismatchException>(() => layer.Build(new Shape(2, 4), new Rng(1)));
    }

    [Fact]
    public void Parameters_created_by_a_build_inside_a_scope_survive_it()
    {
        var layer = new Dense(4);
        using (TensorScope.Begin()) layer.Build(new Shape(1, 6), new Rng(3));
        using (TensorScope.Begin()) _ = Tensor.Ones(100, 100) * 2f; // reuse pooled buffers
        var expected = new Dense(6, 4, new Rng(3)).Weight.ToArray();
        Assert.Equal(expected, layer.Weight.ToArray());
    }

    [Fact]
    public void Linear_is_dense_under_pytorchs_name()
    {
        var linear = new Linear(3, 2, new Rng(9));
        var dense = new Dense(3, 2, new Rng(9));
        Assert.IsAssignableFrom<Dense>(linear);
        Assert.Equal(dense.Weight.ToArray(), linear.Weight.ToArray());
        Assert.Equal("Linear(3 → 2)", linear.Describe());
        Assert.Equal("Dense(3 → 2, ReLU)", new Dense(3, 2, new Rng(1), activation: "relu").Describe());
        Assert.Equal("Dense(? → 2)", new Dense(2).Describe());
    }
}
