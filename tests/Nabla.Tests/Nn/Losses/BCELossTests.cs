using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Tests.Autograd;
using static Nabla.Tests.Nn.Losses.LossTestData;

namespace Nabla.Tests.Nn.Losses;

public class BCELossTests
{
    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Loss_equals_the_formula_in_double(Reduction reduction)
    {
        var per = new double[6];
        for (int i = 0; i < 6; i++)
        {
            double p = BceProbabilities[i / 3, i % 3], t = SoftTargets[i / 3, i % 3];
            per[i] = -(t * Math.Log(p) + (1 - t) * Math.Log(1 - p));
        }
        Close(Reduce(per, reduction), new BCELoss(reduction).Forward(Leaf(BceProbabilities), Tensor.FromArray(SoftTargets)));
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Gradients_wrt_probabilities_and_targets_match_finite_differences(Reduction reduction)
    {
        var p = Leaf(new float[,] { { 0.3f, 0.5f }, { 0.7f, 0.45f } });
        var t = Leaf(new float[,] { { 0.2f, 0.9f }, { 1f, 0f } });
        var loss = new BCELoss(reduction);
        GradAssert.Passes(v => loss.Forward(v[0], v[1]), p, t);
    }

    [Fact]
    public void Saturated_probabilities_are_clamped_to_a_finite_loss()
    {
        var loss = new BCELoss(Reduction.None).Forward(Of([0f, 1f]), Of([1f, 0f]));
        // 1 − ε rounds to the float 1 − 2⁻²³·1.0, so the second loss is −ln(1.19e-7), about 1% below −ln(1e-7).
        var v = loss.ToArray();
        Assert.Equal(-Math.Log(BCELoss.Epsilon), v[0], 3);
        Assert.InRange(v[1], 15.5, 16.2);
    }

    [Fact]
    public void Mismatched_shapes_name_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new BCELoss().Forward(Tensor.Zeros(4), Tensor.Zeros(2, 2)));
        Assert.Contains("[4]", e.Message);
        Assert.Contains("[2, 2]", e.Message);
    }
}
