using Nabla.Kernels;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

/// <summary>Adam splits large updates across worker threads; the split must not change a bit.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class AdamThreadingTests
{
    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.01f, false)]
    [InlineData(0f, true)]
    [InlineData(0.01f, true)]
    public void Two_threads_update_bitwise_like_one(float weightDecay, bool amsgrad)
    {
        float[] Run(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            WorkerPool.MaxThreads = threads;
            try
            {
                var rng = new Rng(3);
                // 70,001 + 17 + 300×257 elements: above the parallel threshold, with ragged ends.
                var ps = new[] { Tensor.Randn(new Shape(70_001), rng), Tensor.Randn(new Shape(17), rng), Tensor.Randn(new Shape(300, 257), rng) };
                foreach (var p in ps) p.RequiresGrad = true;
                var opt = new Adam(ps, 1e-2f, weightDecay: weightDecay, amsgrad: amsgrad);
                for (int step = 0; step < 3; step++)
                {
                    foreach (var p in ps) p.Grad = Tensor.Randn(p.Shape, rng);
                    opt.Step();
                }

                return ps.SelectMany(p => p.ToArray()).ToArray();
            }
            finally
            {
                WorkerPool.MaxThreads = saved;
            }
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one, two);
    }
}
