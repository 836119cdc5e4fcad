using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public class OpGradCheckTests
{
    private readonly Rng _rng = new(42);

    [Fact]
    public void Add_sub_mul_div_match_finite_differences_with_broadcasting()
    {
        foreach (var s in GradAssert.Shapes(_rng, 3, 6))
        {
            var a = GradAssert.Param(_rng, 1f, s);
            var b = GradAssert.Param(_rng, 1f, 1, s[1], s[2]);
            var c = GradAssert.Param(_rng, 1f, s[2]);
            var d = GradAssert.AwayFrom(GradAssert.Param(_rng, 1f, s[0], 1, 1), 0f, 0.5f);
            GradAssert.Passes(x => (x[0] + x[1]) * x[2] - x[0] / x[3], a, b, c, d);
        }
    }

    [Fact]
    public void Scalar_arithmetic_matches_finite_differences()
    {
        var a = GradAssert.AwayFrom(GradAssert.Param(_rng, 1f, 3, 5), 0f, 0.5f);
        GradAssert.Passes(x => (x[0] * 3f + 1f - 2f) / 4f - x[0] + (2f - x[0]) * -x[0] + 1f / x[0], a);
    }

    [Fact]
    public void MatMul_matches_finite_differences_for_plain_transposed_and_batched_operands()
    {
        foreach (var s in GradAssert.Shapes(_rng, 3, 5))
        {
            var a = GradAssert.Param(_rng, 1f, s[0], s[1]);
            var b = GradAssert.Param(_rng, 1f, s[1], s[2]);
            var bt = GradAssert.Param(_rng, 1f, s[2], s[1]);
            GradAssert.Passes(x => x[0].MatMul(x[1]) + x[0].MatMul(x[2].T()), a, b, bt);
            var ba = GradAssert.Param(_rng, 1f, 2, s[0], s[1]);
            var bb = GradAssert.Param(_rng, 1f, 2, s[1], s[2]);
            GradAssert.Passes(x => x[0].MatMul(x[1]) + x[0].MatMul(x[2]).Sum(0), ba, bb, b);
        }
    }

    [Fact]
    public void Sum_mean_and_max_match_finite_differences_along_every_axis()
    {
        foreach (var s in GradAssert.Shapes(_rng, 3, 4))
        {
            var a = GradAssert.Param(_rng, 1f, s);
            for (int axis = 0; axis < 3; axis++)
            {
                int ax = axis;
                GradAssert.Passes(x => x[0].Sum(ax) * 2f + x[0].Mean(ax, keepDim: true).Sum(ax), a);
                GradAssert.Passes(x => x[0].Max(ax), a);
            }
            GradAssert.Passes(x => x[0].Sum() + x[0].Mean(), a);
        }
    }

    [Fact]
    public void Views_match_finite_differences()
    {
        var a = GradAssert.Param(_rng, 1f, 2, 3, 5);
        GradAssert.Passes(x => x[0].Permute(2, 0, 1).Reshape(5, 6).Narrow(1, 1, 4).Transpose(0, 1), a);
        GradAssert.Passes(x => x[0].Transpose(1, 2).Contiguous().Flatten().Unsqueeze(0).Squeeze(0), a);
    }

    [Fact]
    public void Concat_stack_gather_and_index_select_match_finite_differences()
    {
        var a = GradAssert.Param(_rng, 1f, 3, 4);
        var b = GradAssert.Param(_rng, 1f, 2, 4);
        GradAssert.Passes(x => Tensor.Concat([x[0], x[1], x[0]], 0), a, b);
        GradAssert.Passes(x => Tensor.Stack([x[0], x[0] * 2f], 1), a);
        var idx = Tensor.FromArray([3, 0, 0, 2, 1, 1], 3, 2);
        GradAssert.Passes(x => x[0].Gather(1, idx), a);
        GradAssert.Passes(x => x[0].IndexSelect(0, Tensor.FromArray([2, 0, 2])) + x[0].IndexSelect(1, Tensor.FromArray([1, 1, 3, 0])).Sum(), a);
    }

    [Fact]
    public void Where_clamp_maximum_and_minimum_match_finite_differences()
    {
        var a = GradAssert.AwayFrom(GradAssert.Param(_rng, 1f, 4, 3), 0.3f, 0.05f);
        a = GradAssert.AwayFrom(a.Detach(), -0.3f, 0.05f).RequireGrad();
        var b = GradAssert.Param(_rng, 1f, 3);
        var cond = Tensor.FromArray([1, 0, 1]);
        GradAssert.Passes(x => Tensor.Where(cond, x[0], x[1]) + x[0].Clamp(-0.3f, 0.3f), a, b);
        var c = GradAssert.Param(_rng, 1f, 4, 3);
        var d = (c.Detach() + 0.5f).RequireGrad(); // differ everywhere so no ties
        GradAssert.Passes(x => x[0].Maximum(x[1]) + x[0].Minimum(x[1]) * 2f, c, d);
    }
}
