using Nabla.Autograd;
using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Tests.Autograd;
using static Nabla.Tests.Nn.Losses.LossTestData;

namespace Nabla.Tests.Nn.Losses;

public class BCEWithLogitsLossTests
{
    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Loss_equals_the_log_sigmoid_formula_in_double(Reduction reduction)
    {
        var per = new double[6];
        for (int i = 0; i < 6; i++)
        {
            double x = BceLogits[i / 3, i % 3], t = SoftTargets[i / 3, i % 3], p = 1 / (1 + Math.Exp(-x));
            double pw = PosWeight[i % 3];
            per[i] = -(pw * t * Math.Log(p) + (1 - t) * Math.Log(1 - p));
        }
        Close(Reduce(per, reduction), new BCEWithLogitsLoss(Of(PosWeight), reduction).Forward(Leaf(BceLogits), Tensor.FromArray(SoftTargets)));
    }

    [Theory]
    [InlineData(Reduction.Mean, false)]
    [InlineData(Reduction.Sum, false)]
    [InlineData(Reduction.None, false)]
    [InlineData(Reduction.Mean, true)]
    [InlineData(Reduction.None, true)]
    public void Gradients_wrt_logits_and_targets_match_finite_differences(Reduction reduction, bool posWeight)
    {
        var x = GradAssert.AwayFrom(GradAssert.Param(new Rng(4), 3f, 3, 3), 0f, 0.05f);
        var t = Leaf(new float[,] { { 0.2f, 0.9f, 0.5f }, { 1f, 0f, 0.3f }, { 0.7f, 0.4f, 0.1f } });
        var loss = new BCEWithLogitsLoss(posWeight ? Of(PosWeight) : null, reduction);
        GradAssert.Passes(v => loss.Forward(v[0], v[1]), x, t);
    }

    [Fact]
    public void Extreme_logits_stay_finite_and_exact()
    {
        var x = Leaf(new float[,] { { 200f, -200f } });
        var loss = new BCEWithLogitsLoss(reduction: Reduction.None).Forward(x, Tensor.FromArray(new float[,] { { 0f, 0f } }));
        Close([200, 0], loss);
        loss.Sum().Backward();
        Close([1, 0], x.Grad!);
    }

    [Fact]
    public void Mismatched_shapes_name_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new BCEWithLogitsLoss().Forward(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Throws<ShapeMismatchException>(() => new BCEWithLogitsLoss(Of([1f, 2f])).Forward(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3)));
    }
}
