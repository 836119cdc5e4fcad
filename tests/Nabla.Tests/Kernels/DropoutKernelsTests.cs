using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Kernels;

/// <summary>
/// Dropout without a stored mask: about p of the elements dropped and the rest scaled, backward
/// regenerating exactly the forward mask, and a mask that depends on the seed only (not the threads).
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class DropoutKernelsTests
{
    [Theory]
    [InlineData(0.3f)]
    [InlineData(1f)]
    public void Fused_relu_dropout_equals_relu_then_dropout_bit_for_bit_forward_and_backward(float p)
    {
        int n = 2 * DropoutKernels.Block + 77;   // several mask streams and a ragged tail
        var rng = new Rng(3);
        var x = Tensor.Randn(new Shape(n), rng).RequireGrad();
        var seed = Tensor.Randn(new Shape(n), rng);
        var prefilled = Tensor.Randn(new Shape(n), rng).ToArray();
        float[] Run(Func<Tensor, Rng, Tensor> f, out float[] grad)
        {
            x.Grad = null;
            var y = f(x, new Rng(11));
            y.Backward(seed);
            var fresh = x.Grad!.ToArray();
            x.Grad = Tensor.FromArray((float[])prefilled.Clone(), n);   // the accumulating write path
            f(x, new Rng(11)).Backward(seed);
            grad = [.. fresh, .. x.Grad!.ToArray()];
            return y.ToArray();
        }
        var fused = Run((t, r) => DropoutOp.ReluDropout(t, p, r), out var fusedGrad);
        var separate = Run((t, r) => t.Relu().Dropout(p, r), out var separateGrad);
        Assert.Equal(separate, fused);
        Assert.Equal(separateGrad, fusedGrad);
        if (p < 1f) Assert.Contains(fused, v => v > 0f);
        Tests.Autograd.GradAssert.Passes(t => DropoutOp.ReluDropout(t[0], p, new Rng(5)),
            [Tests.Autograd.GradAssert.AwayFrom(Tests.Autograd.GradAssert.Param(new Rng(6), 1f, 3, 7), 0f, 0.05f)]);
    }

    [Fact]
    public void Backward_regenerates_the_forward_mask_and_about_p_is_dropped()
    {
        int n = 3 * DropoutKernels.Block + 123;   // several blocks and a ragged tail
        var x = AttentionKernelsTests.Random(new Rng(1), n);
        var y = new float[n];
        DropoutKernels.Forward(x, y, 0.3f, seed: 9);
        var ones = Enumerable.Repeat(1f, n).ToArray();
        var dx = Enumerable.Repeat(5f, n).ToArray();
        DropoutKernels.Backward(ones, dx, 0.3f, seed: 9, accumulate: true);
        int dropped = 0;
        for (int i = 0; i < n; i++)
        {
            bool kept = dx[i] != 5f;
            if (!kept) dropped++;
            Assert.Equal(kept ? x[i] / 0.7f : 0f, y[i], 1e-6f * Math.Abs(y[i]));
            Assert.Equal(kept ? 5f + 1f / 0.7f : 5f, dx[i], 1e-6f);
        }
        Assert.Equal(0.3, dropped / (double)n, 0.01);
        var other = new float[n];
        DropoutKernels.Forward(x, other, 0.3f, seed: 10);
        Assert.NotEqual(y, other);
    }

    [Fact]
    public void The_mask_does_not_depend_on_the_thread_count()
    {
        int n = 5 * DropoutKernels.Block;
        var x = AttentionKernelsTests.Random(new Rng(2), n);
        float[] Run(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            try
            {
                WorkerPool.MaxThreads = threads;
                var y = new float[n];
                DropoutKernels.Forward(x, y, 0.5f, seed: 4);
                return y;
            }
            finally { WorkerPool.MaxThreads = saved; }
        }
        Assert.Equal(Run(1), Run(2));
    }
}
