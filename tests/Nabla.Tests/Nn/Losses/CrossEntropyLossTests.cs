using Nabla.Autograd;
using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Tests.Autograd;
using static Nabla.Tests.Nn.Losses.LossTestData;

namespace Nabla.Tests.Nn.Losses;

public class CrossEntropyLossTests
{
    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Index_target_loss_equals_minus_log_softmax_of_the_target_computed_in_double(Reduction reduction)
    {
        var perRow = new double[3];
        for (int r = 0; r < 3; r++) perRow[r] = -LogSoftmaxRow(Logits, r)[(int)Indices[r]];
        Close(Reduce(perRow, reduction), new CrossEntropyLoss(reduction: reduction).Forward(Leaf(Logits), Of(Indices)));
    }

    [Theory]
    [InlineData(Reduction.Mean, 0f)]
    [InlineData(Reduction.Sum, 0f)]
    [InlineData(Reduction.None, 0f)]
    [InlineData(Reduction.Mean, 0.15f)]
    [InlineData(Reduction.None, 0.15f)]
    public void Weighted_index_target_gradient_matches_finite_differences(Reduction reduction, float smoothing)
    {
        var rng = new Rng(7);
        var x = GradAssert.Param(rng, 2f, 5, 4);
        var loss = new CrossEntropyLoss(Of(ClassWeights), reduction, smoothing);
        var t = Of([0, 3, 1, 1, 2]);
        GradAssert.Passes(v => loss.Forward(v[0], t), x);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Probability_target_gradients_wrt_logits_and_targets_match_finite_differences(Reduction reduction)
    {
        var rng = new Rng(8);
        var x = GradAssert.Param(rng, 2f, 3, 4);
        var q = Leaf(Probabilities);
        var loss = new CrossEntropyLoss(Of(ClassWeights), reduction, 0.1f);
        GradAssert.Passes(v => loss.Forward(v[0], v[1]), x, q);
    }

    [Fact]
    public void Fused_op_equals_log_softmax_then_nll_in_value_and_gradient()
    {
        var rng = new Rng(3);
        var a = GradAssert.Param(rng, 3f, 16, 10);
        var b = Tensor.FromArray(a.ToArray(), 16, 10);
        b.RequiresGrad = true;
        var t = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)(i * 7 % 10)).ToArray(), 16);
        var fused = new CrossEntropyLoss().Forward(a, t);
        var composite = new NLLLoss().Forward(b.LogSoftmax(1), t);
        Assert.Equal(composite.Item(), fused.Item(), 5);
        Assert.Equal("CrossEntropyBackward", fused.GradFnName);
        fused.Backward();
        composite.Backward();
        Close(b.Grad!.ToArray().Select(v => (double)v).ToArray(), a.Grad!, 1e-6);
    }

    [Fact]
    public void Huge_logits_give_finite_loss_and_gradient()
    {
        var x = Leaf(new float[,] { { 1000f, -1000f, 0f }, { -5000f, 5000f, 4999f } });
        var loss = new CrossEntropyLoss().Forward(x, Of([1, 2]));
        loss.Backward();
        Assert.Equal((2000.0 + (1 + Math.Log(1 + Math.Exp(-1)))) / 2, loss.Item(), 2);
        Assert.All(x.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Target_out_of_range_names_the_row_and_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Forward(Leaf(Logits), Of([3, 4, 0])));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("4", e.Message);
        var f = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Forward(Leaf(Logits), Of([3, 1.5f, 0])));
        Assert.Contains("1.5", f.Message);
    }

    [Fact]
    public void Mismatched_shapes_name_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new CrossEntropyLoss().Forward(Leaf(Logits), Of([1, 2])));
        Assert.Contains("[3, 4]", e.Message);
        Assert.Contains("[2]", e.Message);
        var p = Assert.Throws<ShapeMismatchException>(() => new CrossEntropyLoss().Forward(Leaf(Logits), Tensor.Zeros(3, 5)));
        Assert.Contains("[3, 5]", p.Message);
        Assert.Throws<ShapeMismatchException>(() => new CrossEntropyLoss(Of([1f, 2f])).Forward(Leaf(Logits), Of(Indices)));
    }

    [Fact]
    public void Label_smoothing_outside_zero_to_one_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: 1.5f));
}
