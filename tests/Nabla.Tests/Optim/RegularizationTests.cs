using Nabla.Autograd;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Optim;

public class RegularizationTests
{
    private static Tensor Leaf(params float[] v)
    {
        var t = Tensor.FromArray(v, v.Length);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void L1_is_lambda_times_the_sum_of_absolute_values_with_sign_gradient()
    {
        Tensor a = Leaf(1f, -2f), b = Leaf(0.5f);
        var penalty = Regularization.L1([a, b], 0.1f);
        Assert.Equal(0.35f, penalty.Item(), 6);
        penalty.Backward();
        Assert.Equal([0.1f, -0.1f], a.Grad!.ToArray());
        Assert.Equal([0.1f], b.Grad!.ToArray());
    }

    [Fact]
    public void L2_is_lambda_times_the_sum_of_squares_without_a_half()
    {
        Tensor a = Leaf(1f, -2f), b = Leaf(0.5f);
        var penalty = Regularization.L2([a, b], 0.1f);
        Assert.Equal(0.525f, penalty.Item(), 6);
        penalty.Backward();
        Assert.Equal([0.2f, -0.4f], a.Grad!.ToArray().Select(v => MathF.Round(v, 6)).ToArray());
        Assert.Equal([0.1f], b.Grad!.ToArray().Select(v => MathF.Round(v, 6)).ToArray());
    }

    [Fact]
    public void Penalty_gradients_match_finite_differences()
    {
        var rng = new Rng(2);
        var a = GradAssert.AwayFrom(GradAssert.Param(rng, 1f, 2, 3), 0f, 0.05f);
        var b = GradAssert.AwayFrom(GradAssert.Param(rng, 1f, 4), 0f, 0.05f);
        GradAssert.Passes(v => Regularization.L1(v, 0.3f) + Regularization.L2(v, 0.7f), a, b);
    }
}
