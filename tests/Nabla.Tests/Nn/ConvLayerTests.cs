using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class ConvLayerTests
{
    [Fact]
    public void Conv2d_has_pytorch_names_shapes_and_uniform_init_within_one_over_root_fan_in()
    {
        var conv = new Conv2d(3, 8, (5, 3), new Rng(1), padding: (2, 1));
        var names = conv.NamedParameters().Select(p => (p.Name, p.Tensor.Shape)).ToArray();
        Assert.Equal([("weight", new Shape(8, 3, 5, 3)), ("bias", new Shape(8))], names);
        float bound = 1f / MathF.Sqrt(3 * 5 * 3);
        var w = conv.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.8f * bound && w.Min() < -0.8f * bound);
        var y = conv.Forward(Tensor.Zeros(2, 3, 9, 6));
        Assert.Equal(new Shape(2, 8, 9, 6), y.Shape);
    }

    [Fact]
    public void Conv2d_without_bias_has_only_a_weight_and_rejects_wrong_channels()
    {
        var conv = new Conv2d(2, 4, 3, new Rng(2), stride: 2, bias: false);
        Assert.Single(conv.Parameters());
        Assert.Null(conv.Bias);
        Assert.Equal(new Shape(1, 4, 3, 3), conv.Forward(Tensor.Zeros(1, 2, 7, 7)).Shape);
        var e = Assert.Throws<ShapeMismatchException>(() => conv.Forward(Tensor.Zeros(1, 3, 7, 7)));
        Assert.Contains("[1, 3, 7, 7]", e.Message);
    }

    [Fact]
    public void Conv1d_maps_ncl_to_ncl_and_trains_its_weight()
    {
        var conv = new Conv1d(2, 3, 3, new Rng(3), padding: 1);
        var x = Tensor.Randn(new Shape(4, 2, 10), new Rng(4));
        var y = conv.Forward(x);
        Assert.Equal(new Shape(4, 3, 10), y.Shape);
        y.Sum().Backward();
        Assert.Equal(conv.Weight.Shape, conv.Weight.Grad!.Shape);
        Assert.Equal(4 * 10, conv.Bias!.Grad!.ToArray()[0], 3);
    }

    [Fact]
    public void Pooling_modules_give_the_expected_shapes()
    {
        var x = Tensor.Randn(new Shape(2, 3, 7, 6), new Rng(5));
        Assert.Equal(new Shape(2, 3, 3, 3), new MaxPool2d(2).Forward(x).Shape);
        Assert.Equal(new Shape(2, 3, 4, 3), new MaxPool2d((3, 2), (2, 2), (1, 0)).Forward(x).Shape);
        Assert.Equal(new Shape(2, 3, 4, 3), new AvgPool2d(3, 2, 1).Forward(x).Shape);
        Assert.Equal(new Shape(2, 3, 1, 1), new AdaptiveAvgPool2d(1).Forward(x).Shape);
        Assert.Equal(new Shape(2, 3), new GlobalAveragePooling2D().Forward(x).Shape);
        Assert.Equal(new Shape(2, 3, 3), new MaxPool1d(2).Forward(x.Reshape(2, 3, 42).Narrow(2, 0, 7)).Shape);
    }

    [Fact]
    public void GlobalAveragePooling2d_is_the_mean_over_height_and_width()
    {
        var x = Tensor.Randn(new Shape(2, 3, 5, 4), new Rng(6));
        var expected = x.Mean(3).Mean(2).ToArray();
        var got = new GlobalAveragePooling2D().Forward(x).ToArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 5);
    }

    [Fact]
    public void BatchNorm2d_normalizes_per_channel_and_updates_running_statistics_like_pytorch()
    {
        var bn = new BatchNorm2d(2);
        Assert.Equal(["weight", "bias"], bn.NamedParameters().Select(p => p.Name));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], bn.NamedBuffers().Select(p => p.Name));
        var x = Tensor.Randn(new Shape(3, 2, 4, 5), new Rng(7)) * 2f + 1f;
        var y = bn.Forward(x);
        var data = x.ToArray();
        for (int c = 0; c < 2; c++)
        {
            double s = 0, sq = 0;
            int m = 0;
            for (int n = 0; n < 3; n++)
                for (int k = 0; k < 20; k++) { double v = data[(n * 2 + c) * 20 + k]; s += v; sq += v * v; m++; }
            double mean = s / m, biased = sq / m - mean * mean;
            Assert.Equal(0.1 * mean, bn.RunningMean.ToArray()[c], 4);
            Assert.Equal(0.9 + 0.1 * biased * m / (m - 1), bn.RunningVar.ToArray()[c], 4);
            var yc = Enumerable.Range(0, 3).SelectMany(n => y.ToArray().Skip((n * 2 + c) * 20).Take(20)).ToArray();
            Assert.Equal(0, yc.Average(), 4);
            Assert.Equal(1, yc.Select(v => v * v).Average(), 3);
        }
        Assert.Equal(1, bn.NumBatchesTracked);
        bn.Eval();
        var z = bn.Forward(x);
        float rm = bn.RunningMean.ToArray()[0], rv = bn.RunningVar.ToArray()[0];
        Assert.Equal((data[0] - rm) / MathF.Sqrt(rv + 1e-5f), z.ToArray()[0], 4);
        Assert.Equal(1, bn.NumBatchesTracked);
    }
}
