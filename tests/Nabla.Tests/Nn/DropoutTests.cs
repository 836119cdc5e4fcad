using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Nn;

public class DropoutTests
{
    [Fact]
    public void Training_zeros_about_p_of_the_elements_and_scales_the_rest_by_one_over_one_minus_p()
    {
        var dropout = new Dropout(0.3f, new Rng(1));
        var y = dropout.Forward(Tensor.Ones(200, 100)).ToArray();
        double zeros = y.Count(v => v == 0) / (double)y.Length;
        Assert.Equal(0.3, zeros, 0.01);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1f / 0.7f, v, 5));
        Assert.Equal(1.0, y.Average(v => (double)v), 0.02);
    }

    [Fact]
    public void Eval_is_the_identity()
    {
        var dropout = new Dropout(0.5f, new Rng(1));
        dropout.Eval();
        var x = Tensor.Randn(new Shape(10, 10), new Rng(2));
        Assert.Equal(x.ToArray(), dropout.Forward(x).ToArray());
    }

    [Fact]
    public void Each_training_call_draws_a_new_mask_and_the_same_seed_repeats_it()
    {
        var a = new Dropout(0.5f, new Rng(3));
        var first = a.Forward(Tensor.Ones(50)).ToArray();
        Assert.NotEqual(first, a.Forward(Tensor.Ones(50)).ToArray());
        Assert.Equal(first, new Dropout(0.5f, new Rng(3)).Forward(Tensor.Ones(50)).ToArray());
    }

    [Fact]
    public void Probability_one_zeros_everything_and_zero_changes_nothing()
    {
        Assert.All(new Dropout(1f, new Rng(1)).Forward(Tensor.Ones(20)).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(new Dropout(0f, new Rng(1)).Forward(Tensor.Ones(20)).ToArray(), v => Assert.Equal(1f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5f, new Rng(1)));
    }

    [Fact]
    public void Gradients_with_a_fixed_mask_match_finite_differences()
    {
        var x = GradAssert.Param(new Rng(4), 1f, 4, 6);
        // GradCheck calls the function many times: a fresh generator with the same seed keeps the mask fixed.
        GradAssert.Passes(a => new Dropout(0.4f, new Rng(77)).Forward(a[0]), x);
    }
}
