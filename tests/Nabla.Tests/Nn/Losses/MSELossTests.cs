using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Nn.Losses;

public class MSELossTests
{
    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Loss_is_the_squared_difference_and_its_gradient_matches_finite_differences(Reduction reduction)
    {
        var rng = new Rng(5);
        var p = GradAssert.Param(rng, 1f, 3, 4);
        var t = GradAssert.Param(rng, 1f, 3, 4);
        var per = p.ToArray().Zip(t.ToArray(), (a, b) => ((double)a - b) * ((double)a - b)).ToArray();
        LossTestData.Close(LossTestData.Reduce(per, reduction), new MSELoss(reduction).Forward(p, t));
        GradAssert.Passes(v => new MSELoss(reduction).Forward(v[0], v[1]), p, t);
    }

    [Fact]
    public void Mismatched_shapes_name_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new MSELoss().Forward(Tensor.Zeros(3, 1), Tensor.Zeros(3)));
        Assert.Contains("[3, 1]", e.Message);
        Assert.Contains("[3]", e.Message);
    }
}
