using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

[Collection(ProcessWideStateCollection.Name)]
public class WinogradF4ConvTests
{
    // (batch, channels, height, width, out channels, padding): odd and even sizes not multiples of 4, padding 0/1/2,
    // channel counts that are not multiples of any vector width, a 1×1 output, images of fewer than 8 tiles (padded
    // lanes) and of more (overlapping last vector), several chunks per batch, and 64-channel sums (the largest
    // rounding of the 6×6 transforms).
    public static IEnumerable<object[]> Shapes() =>
    [
        [2, 3, 7, 6, 5, 1],
        [1, 17, 8, 9, 19, 0],
        [3, 16, 12, 12, 16, 1],
        [2, 5, 5, 5, 3, 2],
        [1, 1, 3, 3, 1, 0],
        [7, 32, 28, 28, 32, 1],
        [2, 64, 14, 14, 64, 1],
        [1, 3, 5, 37, 2, 1],
        [2, 2, 4, 33, 3, 0],
        [1, 2, 17, 16, 2, 1],
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_matches_the_direct_convolution_on_every_kernel_path(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * c * h * w, 31);
        var wt = Im2ColTests.Random(o * c * 9, 32);
        var b = Im2ColTests.Random(o, 33);
        var expected = new float[n * o * g.OutPixels];
        Conv2dKernels.Forward(g, n, o, x, 0, wt, 0, b, 0, expected, 0, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var y = new float[expected.Length + 3];
            WinogradF4Conv.Forward(path, g, n, o, x, 0, wt, 0, b, 0, y, 3);
            WinogradConvTests.AssertClose(expected, y, expected.Length, 3);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Input_gradient_matches_the_direct_backward_and_accumulates_on_request(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        var wt = Im2ColTests.Random(o * c * 9, 34);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 35);
        var x = new float[n * g.ImageSize];
        var expected = new float[x.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, expected, 0, false, null, 0, false, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var dx = Im2ColTests.Random(x.Length, 36);
            WinogradF4Conv.BackwardInput(path, g, n, o, wt, 0, dy, 0, dx, 0, accumulate: false);
            WinogradConvTests.AssertClose(expected, dx, dx.Length);
        }
        var prior = Im2ColTests.Random(x.Length, 37);
        var summed = (float[])prior.Clone();
        WinogradF4Conv.BackwardInput(g, n, o, wt, 0, dy, 0, summed, 0, accumulate: true);
        for (int i = 0; i < summed.Length; i++) Assert.Equal(prior[i] + expected[i], summed[i], 1e-3f);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Weight_gradient_matches_the_direct_backward_and_accumulates_on_request(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * g.ImageSize, 46);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 47);
        var wt = new float[o * c * 9];
        var expected = new float[wt.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, null, 0, false, expected, 0, false, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var dw = Im2ColTests.Random(wt.Length + 2, 48);
            WinogradF4WeightGradient.Run(path, g, n, o, x, 0, dy, 0, dw, 2, accumulate: false);
            WinogradConvTests.AssertClose(expected, dw, expected.Length, 2);
        }
        var prior = Im2ColTests.Random(wt.Length, 49);
        var summed = (float[])prior.Clone();
        WinogradF4WeightGradient.Run(KernelPaths.Best, g, n, o, x, 0, dy, 0, summed, 0, accumulate: true);
        // Sums over many tiles are large: the accumulated result is held to the same relative bound.
        WinogradConvTests.AssertClose(prior.Select((v, i) => v + expected[i]).ToArray(), summed, summed.Length);
    }

    [Fact]
    public void Conv2d_kernels_route_large_outputs_to_the_4x4_tiles_and_small_ones_to_the_2x2_tiles()
    {
        Assert.True(WinogradF4Conv.Pays(new ConvGeometry(32, 28, 28, 3, 3, 1, 1, 1, 1)));
        Assert.False(WinogradF4Conv.Pays(new ConvGeometry(32, 14, 14, 3, 3, 1, 1, 1, 1)));
        Assert.False(WinogradF4Conv.Pays(new ConvGeometry(32, 28, 28, 3, 3, 2, 2, 1, 1)));
        int n = 2, c = 16, o = 16;
        var g = new ConvGeometry(c, 20, 18, 3, 3, 1, 1, 1, 1);
        var x = Im2ColTests.Random(n * g.ImageSize, 38);
        var wt = Im2ColTests.Random(o * c * 9, 39);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 40);
        float[] routed = new float[dy.Length], f4 = new float[dy.Length], dxRouted = new float[x.Length], dxF4 = new float[x.Length];
        Conv2dKernels.Forward(g, n, o, x, 0, wt, 0, null, 0, routed, 0);
        WinogradF4Conv.Forward(g, n, o, x, 0, wt, 0, null, 0, f4, 0);
        Assert.Equal(f4, routed);
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, dxRouted, 0, false, null, 0, false);
        WinogradF4Conv.BackwardInput(g, n, o, wt, 0, dy, 0, dxF4, 0, false);
        Assert.Equal(dxF4, dxRouted);
        float[] dwRouted = new float[wt.Length], dwF4 = new float[wt.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, null, 0, false, dwRouted, 0, false);
        WinogradF4WeightGradient.Run(KernelPaths.Best, g, n, o, x, 0, dy, 0, dwF4, 0, false);
        Assert.Equal(dwF4, dwRouted);
    }

    [Fact]
    public void Results_are_bitwise_equal_on_one_and_two_threads()
    {
        int n = 23, c = 17, h = 18, w = 17, o = 6;
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, 1, 1);
        var x = Im2ColTests.Random(n * g.ImageSize, 41);
        var wt = Im2ColTests.Random(o * c * 9, 42);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 43);
        int saved = WorkerPool.MaxThreads;
        try
        {
            float[] y1 = new float[dy.Length], y2 = new float[dy.Length], dx1 = new float[x.Length], dx2 = new float[x.Length];
            float[] dw1 = new float[wt.Length], dw2 = new float[wt.Length];
            WorkerPool.MaxThreads = 1;
            WinogradF4Conv.Forward(g, n, o, x, 0, wt, 0, null, 0, y1, 0);
            WinogradF4Conv.BackwardInput(g, n, o, wt, 0, dy, 0, dx1, 0, false);
            WinogradF4WeightGradient.Run(KernelPaths.Best, g, n, o, x, 0, dy, 0, dw1, 0, false);
            WorkerPool.MaxThreads = 2;
            WinogradF4Conv.Forward(g, n, o, x, 0, wt, 0, null, 0, y2, 0);
            WinogradF4Conv.BackwardInput(g, n, o, wt, 0, dy, 0, dx2, 0, false);
            WinogradF4WeightGradient.Run(KernelPaths.Best, g, n, o, x, 0, dy, 0, dw2, 0, false);
            Assert.Equal(y1, y2);
            Assert.Equal(dw1, dw2);
            Assert.Equal(dx1, dx2);
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void Forward_and_both_gradients_allocate_nothing_in_steady_state()
    {
        int n = 4, c = 16, h = 17, w = 17, o = 16;
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, 1, 1);
        var x = Im2ColTests.Random(n * g.ImageSize, 44);
        var wt = Im2ColTests.Random(o * c * 9, 45);
        var y = new float[n * o * g.OutPixels];
        var dx = new float[x.Length];
        var dw = new float[wt.Length];
        void Step()
        {
            WinogradF4Conv.Forward(g, n, o, x, 0, wt, 0, null, 0, y, 0);
            WinogradF4Conv.BackwardInput(g, n, o, wt, 0, y, 0, dx, 0, false);
            WinogradF4WeightGradient.Run(KernelPaths.Best, g, n, o, x, 0, y, 0, dw, 0, false);
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
