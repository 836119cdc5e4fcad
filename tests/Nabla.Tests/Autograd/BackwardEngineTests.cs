using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public class BackwardEngineTests
{
    [Fact]
    public void Gradients_of_a_shared_input_add_up()
    {
        var x = Tensor.FromArray([3f]).RequireGrad();
        var y = x * x + x * 2f; // dy/dx = 2x + 2 = 8
        y.Sum().Backward();
        Assert.Equal(8f, x.Grad!.Item());
    }

    [Fact]
    public void A_diamond_graph_sums_both_paths_before_going_further()
    {
        var x = Tensor.FromArray([2f]).RequireGrad();
        var h = x * 3f;           // shared intermediate
        var y = h * h + h;        // dy/dh = 2h + 1 = 13, dy/dx = 39
        y.Sum().Backward();
        Assert.Equal(39f, x.Grad!.Item());
    }

    [Fact]
    public void Backward_accumulates_into_existing_gradients_across_calls()
    {
        var x = Tensor.FromArray([1f, 2f]).RequireGrad();
        (x * 2f).Sum().Backward();
        (x * 3f).Sum().Backward();
        Assert.Equal([5f, 5f], x.Grad!.ToArray());
    }

    [Fact]
    public void A_second_backward_through_a_released_graph_is_refused_unless_retained()
    {
        var x = Tensor.FromArray([1f]).RequireGrad();
        var y = (x * 2f).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(4f, x.Grad!.Item());
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("retainGraph", e.Message);
    }

    [Fact]
    public void NoGrad_records_nothing_and_detach_cuts_the_graph()
    {
        var x = Tensor.FromArray([1f, 2f]).RequireGrad();
        using (GradMode.NoGrad())
        {
            var y = x * 2f;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFnName);
        }
        var d = (x * 2f).Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        Assert.Equal("MulBackward", (x * 2f).GradFnName);
    }

    [Fact]
    public void Backward_of_a_non_scalar_needs_a_seed_of_the_same_shape()
    {
        var x = Tensor.FromArray([1f, 2f]).RequireGrad();
        var y = x * 3f;
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        y.Backward(Tensor.FromArray([1f, 10f]));
        Assert.Equal([3f, 30f], x.Grad!.ToArray());
    }

    [Fact]
    public void Gradients_flow_through_views_to_the_right_elements()
    {
        var x = Tensor.Arange(6).Reshape(2, 3).Contiguous();
        x.RequiresGrad = true;
        var w = Tensor.FromArray([1, 10, 100, 1000], 2, 2);
        // x.T() rows 1..2 → elements x[0,1], x[1,1], x[0,2], x[1,2]
        (x.T().Narrow(0, 1, 2) * w).Sum().Backward();
        Assert.Equal([0f, 1f, 100f, 0f, 10f, 1000f], x.Grad!.ToArray());
    }
}
