using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace FashionMnistCnn;

/// <summary>
/// conv(32, 5×5, pad 2) → ReLU → maxpool 2 → conv(64, 5×5, pad 2) → ReLU → maxpool 2 → flatten →
/// dense(128) → ReLU → dense(10), on [N, 1, 28, 28]. The dense layers are written out here
/// (weights [out, in], PyTorch init) so the sample needs only the convolution layers.
/// </summary>
internal sealed class Cnn : Module
{
    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Tensor _w1, _b1, _w2, _b2;

    public Cnn(Rng rng)
    {
        _conv1 = RegisterModule("conv1", new Conv2d(1, 32, 5, rng, padding: 2));
        _conv2 = RegisterModule("conv2", new Conv2d(32, 64, 5, rng, padding: 2));
        _w1 = RegisterParameter("fc1.weight", Uniform(rng, 3136, 128, 3136));
        _b1 = RegisterParameter("fc1.bias", Uniform(rng, 3136, 128));
        _w2 = RegisterParameter("fc2.weight", Uniform(rng, 128, 10, 128));
        _b2 = RegisterParameter("fc2.bias", Uniform(rng, 128, 10));
    }

    public override Tensor Forward(Tensor input)
    {
        var h = _conv1.Forward(input).Relu().MaxPool2d(2);
        h = _conv2.Forward(h).Relu().MaxPool2d(2).Flatten();
        h = (h.MatMul(_w1.T()) + _b1).Relu();
        return h.MatMul(_w2.T()) + _b2;
    }

    // U(−1/√fan_in, 1/√fan_in), PyTorch's default for linear layers; created outside any scope.
    private static Tensor Uniform(Rng rng, int fanIn, params int[] shape)
    {
        var t = Tensor.Zeros(new Shape(shape));
        float bound = 1f / MathF.Sqrt(fanIn);
        rng.FillUniform(t.AsSpan(), -bound, bound);
        return t;
    }
}
