using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public class ActivationGradCheckTests
{
    private readonly Rng _rng = new(7);

    public static TheoryData<string> Activations => ["relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softplus"];

    private static Tensor Apply(string name, Tensor x) => name switch
    {
        "relu" => x.Relu(),
        "leaky_relu" => x.LeakyRelu(0.1f),
        "elu" => x.Elu(0.7f),
        "gelu" => x.Gelu(),
        "sigmoid" => x.Sigmoid(),
        "tanh" => x.Tanh(),
        "softplus" => x.Softplus(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void Activation_matches_finite_differences_on_random_shapes(string name)
    {
        foreach (var s in GradAssert.Shapes(_rng, 2, 4))
        {
            var x = GradAssert.AwayFrom(GradAssert.Param(_rng, 2f, s), 0f, 0.05f);
            GradAssert.Passes(t => Apply(name, t[0]), x);
        }
    }

    [Fact]
    public void Step_passes_no_gradient()
    {
        var x = Tensor.FromArray([-1f, 0f, 2f]).RequireGrad();
        var y = x.Step();
        Assert.Equal([0f, 0f, 1f], y.ToArray());
        Assert.False(y.RequiresGrad);
    }

    [Fact]
    public void Exp_log_sqrt_abs_square_and_pow_match_finite_differences()
    {
        var x = GradAssert.AwayFrom(GradAssert.Param(_rng, 1f, 3, 4), 0f, 0.3f);
        var positive = (Tensor.Rand(new Shape(3, 4), _rng) + 0.5f).Detach().RequireGrad();
        GradAssert.Passes(t => t[0].Exp() + t[0].Abs() + t[0].Square() * 0.5f + t[0].Pow(3f), x);
        GradAssert.Passes(t => t[0].Log() + t[0].Sqrt() + t[0].Pow(1.5f), positive);
    }

    [Fact]
    public void Softmax_and_log_softmax_match_finite_differences_along_each_axis()
    {
        var x = GradAssert.Param(_rng, 2f, 3, 4, 5);
        for (int axis = 0; axis < 3; axis++)
        {
            int a = axis;
            GradAssert.Passes(t => t[0].Softmax(a), x);
            GradAssert.Passes(t => t[0].LogSoftmax(a), x);
        }
    }

    [Fact]
    public void Softmax_is_stable_for_huge_logits()
    {
        var y = Tensor.FromArray([1e4f, -1e4f, 0f], 1, 3).Softmax();
        Assert.Equal([1f, 0f, 0f], y.ToArray());
        var l = Tensor.FromArray([1000f, 0f], 1, 2).LogSoftmax().ToArray();
        Assert.Equal(0f, l[0]);
        Assert.Equal(-1000f, l[1]);
    }
}
