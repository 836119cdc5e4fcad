using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>
/// The gradient check must fail on the defects it exists to find: a derivative off by 0.1 %, and a
/// rule that overwrites where it must add. Each defect is planted in a test-only copy of a real op.
/// </summary>
public class GradCheckSensitivityTests
{
    private enum Defect { None, Scaled, ScaledFirstElement, IgnoresAccumulation, ScaledOnlyWhenAccumulating }

    /// <summary>eˣ with a planted defect in its backward rule.</summary>
    private sealed class FaultyExpNode : Node<FaultyExpNode>
    {
        public Defect Defect;
        public float Factor;
        public Tensor? Output2;

        public override string Name => "FaultyExpBackward";

        protected internal override void Backward(Tensor grad)
        {
            if (!Needs(0)) return;
            var g = grad.AsReadOnlySpan();
            var y = Output2!.AsReadOnlySpan();
            var d = GradFor(0, out bool accumulate).AsSpan();
            for (int i = 0; i < d.Length; i++)
            {
                float v = g[i] * y[i];
                if (Defect == Defect.Scaled || (Defect == Defect.ScaledFirstElement && i == 0)
                    || (Defect == Defect.ScaledOnlyWhenAccumulating && accumulate)) v *= Factor;
                if (accumulate && Defect != Defect.IgnoresAccumulation) d[i] += v;
                else d[i] = v;
            }
        }

        protected override void ClearSaved() => Output2 = null;
    }

    private static Tensor FaultyExp(Tensor x, Defect defect, float factor = 1f)
    {
        var y = x.Detach().Exp();
        if (!x.RequiresGrad || !GradMode.IsEnabled) return y;
        var node = FaultyExpNode.Rent();
        node.SetInput(0, x);
        node.Defect = defect;
        node.Factor = factor;
        node.Output2 = y;
        return GradMode.Attach(node, y);
    }

    private static GradCheckResult Check(Defect defect, float factor = 1f)
    {
        var rng = new Rng(3);
        var x = GradAssert.Param(rng, 1f, 3, 4);
        var w = GradAssert.Param(rng, 1f, 4, 2);
        // The op inside a small graph, as ops are used: its output feeds a product.
        return GradCheck.Run(t => FaultyExp(t[0], defect, factor).MatMul(t[1]), [x, w]);
    }

    [Fact]
    public void The_correct_rule_passes()
    {
        var result = Check(Defect.None);
        Assert.True(result.Passed, result.Failure);
    }

    [Theory]
    [InlineData(1.001f)]
    [InlineData(0.999f)]
    [InlineData(1.005f)]
    public void A_derivative_off_by_a_tenth_of_a_percent_fails(float factor)
    {
        var result = Check(Defect.Scaled, factor);
        Assert.False(result.Passed);
        Assert.Contains("input 0", result.Failure);
    }

    [Fact]
    public void A_tenth_of_a_percent_error_in_a_single_element_fails()
    {
        var result = Check(Defect.ScaledFirstElement, 1.001f);
        Assert.False(result.Passed);
        Assert.Contains("element 0", result.Failure);
    }

    [Fact]
    public void A_rule_that_overwrites_instead_of_adding_fails_on_the_accumulate_path()
    {
        var result = Check(Defect.IgnoresAccumulation);
        Assert.False(result.Passed);
        Assert.Contains("accumulate path", result.Failure);
    }

    [Fact]
    public void An_error_only_on_the_accumulate_branch_fails()
    {
        var result = Check(Defect.ScaledOnlyWhenAccumulating, 1.001f);
        Assert.False(result.Passed);
        Assert.DoesNotContain("overwrite path", result.Failure);
    }

    [Fact]
    public void Exp_of_the_library_passes_with_the_same_tolerances()
    {
        var rng = new Rng(3);
        var x = GradAssert.Param(rng, 1f, 3, 4);
        var w = GradAssert.Param(rng, 1f, 4, 2);
        var result = GradCheck.Run(t => t[0].Exp().MatMul(t[1]), [x, w]);
        Assert.True(result.Passed, result.Failure);
    }
}
