using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

[Collection(ProcessWideStateCollection.Name)]
public class Conv2dKernelsTests
{
    [Theory]
    [InlineData(3, 2, 7, 6, 4, 3, 2, 2, 1, 1, 0, 1, 1)]
    [InlineData(2, 3, 9, 7, 5, 2, 3, 1, 2, 2, 1, 2, 1)]
    [InlineData(1, 1, 28, 28, 8, 5, 5, 1, 1, 2, 2, 1, 1)]
    [InlineData(2, 8, 10, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1)] // patch 72: the transposed GEMM path
    public void Forward_matches_a_direct_convolution_loop(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
    {
        var g = new ConvGeometry(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        var x = Im2ColTests.Random(n * c * h * w, 1);
        var wt = Im2ColTests.Random(o * c * kh * kw, 2);
        var b = Im2ColTests.Random(o, 3);
        var expected = ConvReference.Conv2d(x, n, c, h, w, wt, o, kh, kw, b, sh, sw, ph, pw, dh, dw, out _, out _);
        var y = new float[expected.Length + 2];
        Conv2dKernels.Forward(g, n, o, x, 0, wt, 0, b, 0, y, 2);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y[i + 2], 1e-3f);
    }

    [Fact]
    public void Backward_gives_bitwise_equal_results_on_one_and_two_threads_and_accumulates_on_request()
    {
        int n = 5, c = 3, h = 9, w = 8, o = 4;
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, 1, 1);
        var x = Im2ColTests.Random(n * c * h * w, 4);
        var wt = Im2ColTests.Random(o * g.PatchSize, 5);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 6);
        int saved = WorkerPool.MaxThreads;
        try
        {
            WorkerPool.MaxThreads = 1;
            var dx1 = new float[x.Length];
            var dw1 = new float[wt.Length];
            Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, dx1, 0, false, dw1, 0, false);
            WorkerPool.MaxThreads = 2;
            var dx2 = new float[x.Length];
            var dw2 = new float[wt.Length];
            Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, dx2, 0, false, dw2, 0, false);
            Assert.Equal(dx1, dx2);
            // Two slices sum dW in a different grouping than one; equal up to rounding, and repeatable.
            for (int i = 0; i < dw1.Length; i++) Assert.Equal(dw1[i], dw2[i], 1e-3f);
            var dw3 = new float[wt.Length];
            Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, null, 0, false, dw3, 0, false);
            Assert.Equal(dw2, dw3);
            Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, dx2, 0, true, dw2, 0, true);
            for (int i = 0; i < dx1.Length; i++) Assert.Equal(2 * dx1[i], dx2[i], 1e-4f);
            for (int i = 0; i < dw1.Length; i++) Assert.Equal(2 * dw1[i], dw2[i], 1e-3f);
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void Forward_and_backward_allocate_nothing_in_steady_state()
    {
        int n = 4, c = 2, h = 10, w = 10, o = 3;
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, 1, 1);
        var x = Im2ColTests.Random(n * c * h * w, 7);
        var wt = Im2ColTests.Random(o * g.PatchSize, 8);
        var y = new float[n * o * g.OutPixels];
        var dx = new float[x.Length];
        var dw = new float[wt.Length];
        void Step()
        {
            Conv2dKernels.Forward(g, n, o, x, 0, wt, 0, null, 0, y, 0);
            Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, y, 0, dx, 0, false, dw, 0, false);
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
