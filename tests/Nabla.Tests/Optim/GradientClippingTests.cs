using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

public class GradientClippingTests
{
    private static Tensor WithGrad(params float[] grad)
    {
        var p = Tensor.Zeros(grad.Length);
        p.Grad = Tensor.FromArray(grad, grad.Length);
        return p;
    }

    [Fact]
    public void ClipByNorm_scales_all_gradients_by_max_norm_over_the_global_norm_and_returns_the_norm()
    {
        Tensor a = WithGrad(3f, 0f), b = WithGrad(0f, 4f), none = Tensor.Zeros(2);
        float norm = GradientClipping.ClipByNorm([a, b, none], 1f);
        Assert.Equal(5f, norm, 5);
        double c = 1.0 / (5 + 1e-6);
        Assert.Equal([(float)(3 * c), 0f], a.Grad!.ToArray());
        Assert.Equal([0f, (float)(4 * c)], b.Grad!.ToArray());
        Assert.Null(none.Grad);
    }

    [Fact]
    public void ClipByNorm_leaves_small_gradients_unchanged()
    {
        var a = WithGrad(0.3f, -0.4f);
        Assert.Equal(0.5f, GradientClipping.ClipByNorm([a], 1f), 6);
        Assert.Equal([0.3f, -0.4f], a.Grad!.ToArray());
    }

    [Fact]
    public void ClipByValue_clamps_each_element()
    {
        var a = WithGrad(-3f, 0.2f, 5f);
        GradientClipping.ClipByValue([a], 1f);
        Assert.Equal([-1f, 0.2f, 1f], a.Grad!.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue([a], -1f));
    }
}
