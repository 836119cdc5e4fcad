using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Kernels;

/// <summary>The transposed-convolution kernel splits images over threads; the split must not change the numbers.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class ConvTranspose2dKernelsTests
{
    [Fact]
    public void One_and_two_threads_give_the_same_output_and_gradients()
    {
        var rng = new Rng(5);
        var g = new ConvTransposeGeometry(4, 6, 2, 6, 5, 4, 3, 2, 2, 1, 1, 1, 0);
        int batch = 5;
        float[] Random(int n)
        {
            var a = new float[n];
            rng.FillNormal(a, 0f, 1f);
            return a;
        }
        var x = Random(batch * g.InputSize);
        var w = Random(g.WeightSize);
        var bias = Random(g.OutChannels);
        var dy = Random(batch * g.OutputSize);
        (float[] Y, float[] DX, float[] DW) Run(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            WorkerPool.MaxThreads = threads;
            try
            {
                var y = new float[batch * g.OutputSize];
                var dx = new float[batch * g.InputSize];
                var dw = new float[g.WeightSize];
                ConvTranspose2dKernels.Forward(g, batch, x, 0, w, 0, bias, 0, y, 0);
                ConvTranspose2dKernels.Backward(g, batch, x, 0, w, 0, dy, 0, dx, 0, false, dw, 0, false);
                return (y, dx, dw);
            }
            finally { WorkerPool.MaxThreads = saved; }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.DX, two.DX);
        // The weight gradient sums per-thread slices in a fixed order: equal up to rounding, never different numbers.
        for (int i = 0; i < one.DW.Length; i++) Assert.Equal(one.DW[i], two.DW[i], 1e-4f);
        Assert.Equal(13, g.OutH);
    }
}
