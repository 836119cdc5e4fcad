using Nabla.Autograd;
using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Tests.Autograd;
using static Nabla.Tests.Nn.Losses.LossTestData;

namespace Nabla.Tests.Nn.Losses;

public class NLLLossTests
{
    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Weighted_loss_picks_minus_the_target_log_probability_and_divides_by_the_target_weights(Reduction reduction)
    {
        var x = Leaf(Logits);
        var per = new double[3];
        double wSum = 0;
        for (int r = 0; r < 3; r++)
        {
            int t = (int)Indices[r];
            per[r] = -ClassWeights[t] * Logits[r, t];
            wSum += ClassWeights[t];
        }
        double[] expected = reduction switch { Reduction.Mean => [per.Sum() / wSum], Reduction.Sum => [per.Sum()], _ => per };
        Close(expected, new NLLLoss(Of(ClassWeights), reduction).Forward(x, Of(Indices)));
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Gradient_matches_finite_differences(Reduction reduction)
    {
        var x = GradAssert.Param(new Rng(9), 1f, 3, 4);
        GradAssert.Passes(v => new NLLLoss(Of(ClassWeights), reduction).Forward(v[0], Of(Indices)), x);
        GradAssert.Passes(v => new NLLLoss(reduction: reduction).Forward(v[0], Of(Indices)), x);
    }

    [Fact]
    public void Target_out_of_range_names_the_row_and_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NLLLoss().Forward(Leaf(Logits), Of([0, 1, -1])));
        Assert.Contains("row 2", e.Message);
        Assert.Contains("-1", e.Message);
    }
}
