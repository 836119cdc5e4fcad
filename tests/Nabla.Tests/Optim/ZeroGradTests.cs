using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

/// <summary>
/// ZeroGrad only marks gradients as zero; the next backward overwrites them and a read in between
/// sees zeros. Observable behaviour must equal an eager clear.
/// </summary>
public class ZeroGradTests
{
    [Fact]
    public void Backward_after_ZeroGrad_overwrites_and_backward_without_it_accumulates()
    {
        var w = Tensor.FromArray([1f, 2f, 3f]).RequireGrad();
        var opt = new SGD([w], 0.1f);
        (w * w).Sum().Backward();
        opt.ZeroGrad();
        (w * 3f).Sum().Backward();
        Assert.Equal([3f, 3f, 3f], w.Grad!.ToArray());
        (w * w).Sum().Backward();
        Assert.Equal([5f, 7f, 9f], w.Grad!.ToArray());
    }

    [Fact]
    public void Reading_a_zeroed_gradient_before_the_next_backward_sees_zeros_and_keeps_the_buffer()
    {
        var w = Tensor.FromArray([1f, 2f]).RequireGrad();
        (w * w).Sum().Backward();
        var buffer = w.Grad!;
        new SGD([w], 0.1f).ZeroGrad();
        Assert.Same(buffer, w.Grad);
        Assert.Equal([0f, 0f], w.Grad!.ToArray());
        (w * w).Sum().Backward();
        Assert.Equal([2f, 4f], w.Grad!.ToArray());
    }

    [Fact]
    public void A_step_after_ZeroGrad_without_backward_sees_a_zero_gradient()
    {
        var w = Tensor.FromArray([1f, -1f]).RequireGrad();
        (w * 5f).Sum().Backward();
        var opt = new SGD([w], 0.5f);
        opt.ZeroGrad();
        opt.Step();
        Assert.Equal([1f, -1f], w.ToArray());
    }

    [Fact]
    public void Module_ZeroGrad_marks_every_parameter()
    {
        var layer = new Dense(3, 2, new Rng(1));
        var x = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        layer.Forward(x).Sum().Backward();
        layer.ZeroGrad();
        foreach (var p in layer.Parameters()) Assert.All(p.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }
}
