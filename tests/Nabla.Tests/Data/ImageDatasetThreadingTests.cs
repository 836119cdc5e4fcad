using Nabla.Data;
using Nabla.Kernels;

namespace Nabla.Tests.Data;

/// <summary>A large gather is split across worker threads; the batch must not depend on it.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class ImageDatasetThreadingTests
{
    [Fact]
    public void A_batch_gathered_on_two_threads_equals_the_one_thread_batch()
    {
        const int size = 784, count = 300;
        var pixels = new byte[size * count];
        new Random(5).NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        var ds = new ImageDataset(pixels, [size], labels);
        int[] order = [.. Enumerable.Range(0, 129).Select(i => (i * 37) % count)];

        (float[] X, float[] Y) Gather(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            WorkerPool.MaxThreads = threads;
            try
            {
                var batch = ds.Gather(order);
                return (batch.Inputs.ToArray(), batch.Targets.ToArray());
            }
            finally
            {
                WorkerPool.MaxThreads = saved;
            }
        }

        var one = Gather(1);
        var two = Gather(2);
        Assert.Equal(one.X, two.X);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(pixels[order[128] * size + 5] * (1f / 255), two.X[128 * size + 5]);
    }
}
