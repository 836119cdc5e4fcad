using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Nn;

public class BatchNorm1dTests
{
    [Fact]
    public void Training_normalizes_each_channel_with_batch_mean_and_biased_variance()
    {
        var bn = new BatchNorm1d(3);
        var x = Tensor.Randn(new Shape(16, 3), new Rng(1)) * 3f + 2f;
        var y = bn.Forward(x).ToArray();
        var xs = x.ToArray();
        for (int c = 0; c < 3; c++)
        {
            var col = Enumerable.Range(0, 16).Select(i => (double)xs[i * 3 + c]).ToArray();
            double mean = col.Average(), var = col.Average(v => (v - mean) * (v - mean));
            for (int i = 0; i < 16; i++)
                Assert.Equal((col[i] - mean) / Math.Sqrt(var + 1e-5), y[i * 3 + c], 1e-4);
        }
    }

    [Fact]
    public void Running_stats_after_one_step_follow_pytorchs_update_with_unbiased_variance()
    {
        var bn = new BatchNorm1d(2, momentum: 0.1f);
        var xs = new float[] { 1, 10, 2, 20, 4, 40, 7, 70 }; // [4, 2]
        bn.Forward(Tensor.FromArray(xs, 4, 2));
        for (int c = 0; c < 2; c++)
        {
            var col = new[] { xs[c], xs[2 + c], xs[4 + c], xs[6 + c] }.Select(v => (double)v).ToArray();
            double mean = col.Average();
            double unbiased = col.Sum(v => (v - mean) * (v - mean)) / 3;
            Assert.Equal(0.9 * 0 + 0.1 * mean, bn.RunningMean[c], 1e-5);
            Assert.Equal(0.9 * 1 + 0.1 * unbiased, bn.RunningVar[c], 1e-3);
        }
        Assert.Equal(1, bn.NumBatchesTracked);
    }

    [Fact]
    public void Momentum_null_takes_the_cumulative_average_of_batch_statistics()
    {
        var bn = new BatchNorm1d(1, momentum: null);
        bn.Forward(Tensor.FromArray([0f, 2f], 2, 1));   // mean 1
        bn.Forward(Tensor.FromArray([4f, 6f], 2, 1));   // mean 5
        Assert.Equal(3f, bn.RunningMean[0], 5);
        Assert.Equal(2, bn.NumBatchesTracked);
    }

    [Fact]
    public void Eval_uses_running_stats_and_leaves_them_unchanged()
    {
        var bn = new BatchNorm1d(2);
        bn.Weight!.AsSpan()[0] = 2f;
        bn.Bias!.AsSpan()[1] = -1f;
        for (int s = 0; s < 3; s++) bn.Forward(Tensor.Randn(new Shape(8, 2), new Rng((ulong)s)) + 5f);
        var rm = bn.RunningMean.ToArray();
        var rv = bn.RunningVar.ToArray();
        bn.Eval();
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var y = bn.Forward(x).ToArray();
        float[] gamma = [2f, 1f], beta = [0f, -1f];
        for (int i = 0; i < 4; i++)
        {
            int c = i % 2;
            Assert.Equal((x.ToArray()[i] - rm[c]) / MathF.Sqrt(rv[c] + 1e-5f) * gamma[c] + beta[c], y[i], 4);
        }
        Assert.Equal(rm, bn.RunningMean.ToArray());
        Assert.Equal(3, bn.NumBatchesTracked);
        // The same input in training mode normalizes by the batch instead.
        bn.Train();
        Assert.NotEqual(y, bn.Forward(x).ToArray());
    }

    [Fact]
    public void Three_d_input_normalizes_over_batch_and_length()
    {
        var bn = new BatchNorm1d(2);
        var y = bn.Forward(Tensor.Randn(new Shape(3, 2, 5), new Rng(4)) * 2f + 1f);
        var v = y.ToArray();
        for (int c = 0; c < 2; c++)
        {
            var vals = Enumerable.Range(0, 3).SelectMany(n => Enumerable.Range(0, 5).Select(l => (double)v[n * 10 + c * 5 + l])).ToArray();
            Assert.Equal(0, vals.Average(), 1e-4);
            Assert.Equal(1, vals.Average(a => a * a), 1e-3);
        }
    }

    [Fact]
    public void Gradients_in_training_mode_match_finite_differences()
    {
        var rng = new Rng(5);
        var bn = new BatchNorm1d(3);
        rng.FillNormal(bn.Weight!.AsSpan(), 1f, 0.3f);
        rng.FillNormal(bn.Bias!.AsSpan(), 0f, 0.3f);
        var x = GradAssert.Param(rng, 1f, 6, 3);
        GradAssert.Passes(a => bn.Forward(a[0]), x, bn.Weight!, bn.Bias!);
        var x3 = GradAssert.Param(rng, 1f, 2, 3, 4);
        GradAssert.Passes(a => bn.Forward(a[0]), x3, bn.Weight!, bn.Bias!);
    }

    [Fact]
    public void Gradients_in_eval_mode_match_finite_differences()
    {
        var rng = new Rng(6);
        var bn = new BatchNorm1d(3);
        bn.Forward(Tensor.Randn(new Shape(10, 3), rng));
        bn.Eval();
        GradAssert.Passes(a => bn.Forward(a[0]), GradAssert.Param(rng, 1f, 4, 3), bn.Weight!, bn.Bias!);
    }

    [Fact]
    public void Wrong_channel_count_and_single_value_batches_are_rejected_clearly()
    {
        var bn = new BatchNorm1d(3);
        Assert.Contains("[4, 5]", Assert.Throws<ShapeMismatchException>(() => bn.Forward(Tensor.Zeros(4, 5))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 3)));
        bn.Eval();
        Assert.Equal(new Shape(1, 3), bn.Forward(Tensor.Zeros(1, 3)).Shape);
    }

    [Fact]
    public void Without_affine_there_are_only_buffers()
    {
        var bn = new BatchNorm1d(4, affine: false);
        Assert.Empty(bn.Parameters());
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], bn.NamedBuffers().Select(b => b.Name));
    }
}
