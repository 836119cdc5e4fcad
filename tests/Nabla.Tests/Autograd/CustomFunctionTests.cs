using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>Differentiable operations written outside the library (<see cref="CustomFunction"/>).</summary>
public sealed class CustomFunctionTests
{
    private sealed class Cube : CustomFunction
    {
        protected override Tensor Forward(FunctionContext context, IReadOnlyList<Tensor> inputs)
        {
            context.SaveForBackward(inputs[0]);
            return inputs[0] * inputs[0] * inputs[0];
        }

        protected override Tensor?[] Backward(FunctionContext context, Tensor outputGrad)
        {
            var x = context.Saved[0];
            return [outputGrad * x * x * 3f];
        }
    }

    /// <summary>y = x·w elementwise (broadcast-free), with a backward that can be made wrong by <paramref name="error"/>.</summary>
    private sealed class ScaledProduct(float error = 0f) : CustomFunction
    {
        protected override Tensor Forward(FunctionContext context, IReadOnlyList<Tensor> inputs)
        {
            context.SaveForBackward(inputs[0], inputs[1]);
            return inputs[0] * inputs[1];
        }

        protected override Tensor?[] Backward(FunctionContext context, Tensor outputGrad)
        {
            var (x, w) = (context.Saved[0], context.Saved[1]);
            return [context.NeedsGrad(0) ? outputGrad * w * (1f + error) : null, context.NeedsGrad(1) ? outputGrad * x : null];
        }
    }

    private sealed class Identity : CustomFunction
    {
        protected override Tensor Forward(FunctionContext context, IReadOnlyList<Tensor> inputs) => inputs[0];

        protected override Tensor?[] Backward(FunctionContext context, Tensor outputGrad) => [outputGrad];
    }

    private sealed class WrongShape : CustomFunction
    {
        protected override Tensor Forward(FunctionContext context, IReadOnlyList<Tensor> inputs) => inputs[0] * 2f;

        protected override Tensor?[] Backward(FunctionContext context, Tensor outputGrad) => [Tensor.Zeros(new Shape(1))];
    }

    [Fact]
    public void A_user_function_passes_the_gradient_check_on_every_path()
    {
        var x = GradAssert.Param(new Rng(1), 1f, 3, 4);
        GradAssert.Passes(t => new Cube().Apply(t[0]), x);
    }

    [Fact]
    public void Two_inputs_are_checked_and_a_tenth_of_a_percent_error_is_caught()
    {
        var rng = new Rng(2);
        var x = GradAssert.Param(rng, 1f, 2, 5);
        var w = GradAssert.Param(rng, 1f, 2, 5);
        GradAssert.Passes(t => new ScaledProduct().Apply(t[0], t[1]).Exp(), x, w);
        var faulty = GradCheck.Run(t => new ScaledProduct(1e-3f).Apply(t[0], t[1]).Exp(), [x, w]);
        Assert.False(faulty.Passed);
    }

    [Fact]
    public void It_composes_with_library_ops_and_names_its_node()
    {
        var x = GradAssert.Param(new Rng(3), 1f, 4);
        var y = new Cube().Apply(x.Tanh());
        Assert.Equal("CubeBackward", y.GradFnName);
        y.Sum().Backward();
        for (int i = 0; i < 4; i++)
        {
            float t = MathF.Tanh(x[i]);
            Assert.Equal(3f * t * t * (1f - t * t), x.Grad![i], 5);
        }
    }

    [Fact]
    public void Nothing_is_recorded_without_an_input_that_requires_grad()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        var y = new Cube().Apply(x);
        Assert.True(y.IsLeaf);
        Assert.Equal(8f, y[1]);
    }

    [Fact]
    public void Returning_an_input_or_a_gradient_of_the_wrong_shape_is_refused()
    {
        var x = GradAssert.Param(new Rng(4), 1f, 3);
        var e = Assert.Throws<ArgumentException>(() => new Identity().Apply(x));
        Assert.Contains("returned one of its inputs", e.Message);
        var y = new WrongShape().Apply(x);
        var m = Assert.Throws<ShapeMismatchException>(() => y.Sum().Backward());
        Assert.Contains("WrongShape.Backward: the gradient of input 0 has shape [1], the input [3]", m.Message);
    }

    [Fact]
    public void Mode_switches_return_the_callers_type_so_calls_chain()
    {
        var rng = new Rng(5);
        Sequential model = new Sequential(new Dense(3, 4, rng), new ReLU(), new Dense(4, 2, rng)).Eval();
        Assert.False(model.IsTraining);
        Assert.False(model[0].IsTraining);
        Dense head = new Dense(4, 2, rng).Freeze();
        Assert.True(head.IsFrozen);
        Assert.False(head.Weight.RequiresGrad);
        Assert.True(model.Train().IsTraining);
        Assert.True(head.Unfreeze().Weight.RequiresGrad);
    }
}
