using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Docs;

/// <summary>The README's examples, kept compiling and correct.</summary>
public class ReadmeTests
{
    [Fact]
    public void Api_tour_computes_gradients_for_every_parameter()
    {
        var rng = new Rng(42);
        var x = Tensor.Randn(new Shape(4, 3), rng);
        var w = (Tensor.Randn(new Shape(2, 3), rng) * 0.1f).Detach().RequireGrad();
        var b = Tensor.Zeros(2).RequireGrad();

        var y = (x.MatMul(w.T()) + b).Relu();
        var loss = y.Square().Mean();
        loss.Backward();

        Assert.Equal(w.Shape, w.Grad!.Shape);
        Assert.Equal(b.Shape, b.Grad!.Shape);
        using (GradMode.NoGrad())
        {
            var inference = x.MatMul(w.T()) + b;
            Assert.False(inference.RequiresGrad);
        }
    }
}
