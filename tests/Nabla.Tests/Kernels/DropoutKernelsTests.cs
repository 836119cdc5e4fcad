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
