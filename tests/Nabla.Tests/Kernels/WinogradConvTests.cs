using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

[Collection(ProcessWideStateCollection.Name)]
public class WinogradConvTests
{
    // (batch, channels, height, width, out channels, padding): odd and even sizes, padding 0/1/2, channel
    // counts that are not multiples of any vector width, batch 1, a 1×1 output, a batch of several chunks, and
    // rows wide enough for the 8-tile vectors (with and without an odd last column).
    public static IEnumerable<object[]> Shapes() =>
    [
        [2, 3, 7, 6, 5, 1],
        [1, 17, 8, 9, 19, 0],
        [3, 16, 12, 12, 16, 1],
        [2, 5, 5, 5, 3, 2],
        [1, 1, 3, 3, 1, 0],
        [130, 2, 6, 5, 3, 1],
        [1, 3, 5, 19, 2, 1],
        [2, 2, 4, 33, 3, 0],
    ];

    // Elementwise error bound 1e-4 · (|reference| + rms of the reference): relative where outputs are of
    // typical size, and not demanding a relative match on outputs that cancel to nearly zero.
    internal static void AssertClose(float[] expected, float[] actual, int count, int actualOffset = 0)
    {
        double rms = Math.Sqrt(expected.Take(count).Sum(v => (double)v * v) / count);
        for (int i = 0; i < count; i++)
        {
            double bound = 1e-4 * (Math.Abs(expected[i]) + rms);
            Assert.True(Math.Abs(expected[i] - actual[actualOffset + i]) <= bound,
                $"element {i}: expected {expected[i]}, got {actual[actualOffset + i]} (bound {bound:G3})");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_matches_the_direct_convolution_on_every_kernel_path(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * c * h * w, 11);
        var wt = Im2ColTests.Random(o * c * 9, 12);
        var b = Im2ColTests.Random(o, 13);
        var expected = new float[n * o * g.OutPixels];
        Conv2dKernels.Forward(g, n, o, x, 0, wt, 0, b, 0, expected, 0, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var y = new float[expected.Length + 3];
            WinogradConv.Forward(path, g, n, o, x, 0, wt, 0, b, 0, y, 3);
            AssertClose(expected, y, expected.Length, 3);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Input_gradient_matches_the_direct_backward_and_accumulates_on_request(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        var wt = Im2ColTests.Random(o * c * 9, 14);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 15);
        var x = new float[n * g.ImageSize];
        var expected = new float[x.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, expected, 0, false, null, 0, false, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var dx = new float[x.Length];
            WinogradConv.BackwardInput(path, g, n, o, wt, 0, dy, 0, dx, 0, accumulate: false);
            AssertClose(expected, dx, dx.Length);
        }
        var prior = Im2ColTests.Random(x.Length, 16);
        var summed = (float[])prior.Clone();
        WinogradConv.BackwardInput(g, n, o, wt, 0, dy, 0, summed, 0, accumulate: true);
        for (int i = 0; i < summed.Length; i++) Assert.Equal(prior[i] + expected[i], summed[i], 1e-3f);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Weight_gradient_matches_the_direct_backward_and_accumulates_on_request(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * g.ImageSize, 22);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 23);
        var wt = new float[o * c * 9];
        var expected = new float[wt.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, null, 0, false, expected, 0, false, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var dw = Im2ColTests.Random(wt.Length + 2, 24);
            WinogradWeightGradient.Run(path, g, n, o, x, 0, dy, 0, dw, 2, accumulate: false);
            AssertClose(expected, dw, expected.Length, 2);
        }
        // Short chunks, two slices: several chunks summed into one slice, then the slices added.
        var sliced = new float[wt.Length];
        WinogradWeightGradient.Run(KernelPaths.Best, 16, 2, g, n, o, x, 0, dy, 0, sliced, 0, accumulate: false);
        AssertClose(expected, sliced, expected.Length);
        var prior = Im2ColTests.Random(wt.Length, 25);
        var summed = (float[])prior.Clone();
        WinogradConv.BackwardWeight(g, n, o, x, 0, dy, 0, summed, 0, accumulate: true);
        for (int i = 0; i < summed.Length; i++) Assert.Equal(prior[i] + expected[i], summed[i], 1e-3f);
        // Conv2dKernels.Backward routes dW by the same rule as the forward: Winograd when forced, bitwise im2col when Direct.
        var routed = new float[wt.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, null, 0, false, routed, 0, false, ConvAlgorithm.Winograd);
        var winograd = new float[wt.Length];
        WinogradConv.BackwardWeight(g, n, o, x, 0, dy, 0, winograd, 0, accumulate: false);
        Assert.Equal(winograd, routed);
    }

    // (height, width, padding): tile rows of 1–3 tiles (scalar), 4–7 (4-wide), 8 and more (8-wide, with an overlapping
    // last vector), odd and even widths, padding 0, 1 and 2, images narrower and wider than one 8-pair split.
    public static IEnumerable<object[]> InputShapes() =>
    [
        [3, 3, 0], [5, 4, 1], [4, 5, 2], [9, 8, 1], [6, 11, 0], [7, 13, 2], [14, 14, 1], [5, 17, 1], [8, 30, 0], [6, 33, 2],
    ];

    [Theory]
    [MemberData(nameof(InputShapes))]
    public void Input_transform_is_bitwise_the_scalar_formula_at_every_edge(int h, int w, int pad)
    {
        int n = 3, c = 2, ch = 1, n0 = 1, count = 2;
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2, t = count * tilesH * tilesW;
        var x = Im2ColTests.Random(n * g.ImageSize + 5, 30);
        var expected = new float[16 * c * t];
        for (int i = 0; i < count; i++)
            for (int ty = 0; ty < tilesH; ty++)
                for (int tx = 0; tx < tilesW; tx++)
                {
                    float D(int r, int col)
                    {
                        int iy = 2 * ty - pad + r, ix = 2 * tx - pad + col;
                        return iy < 0 || iy >= h || ix < 0 || ix >= w ? 0f : x[5 + (n0 + i) * g.ImageSize + (ch * h + iy) * w + ix];
                    }
                    // Bᵀ·d·B in WinogradTiles' order: along the columns, then along the rows.
                    var u = new float[4, 4];
                    for (int r = 0; r < 4; r++)
                    {
                        u[r, 0] = D(r, 0) - D(r, 2); u[r, 1] = D(r, 1) + D(r, 2); u[r, 2] = D(r, 2) - D(r, 1); u[r, 3] = D(r, 1) - D(r, 3);
                    }
                    int at = ch * t + (i * tilesH + ty) * tilesW + tx;
                    for (int j = 0; j < 4; j++)
                    {
                        expected[j * c * t + at] = u[0, j] - u[2, j];
                        expected[(4 + j) * c * t + at] = u[1, j] + u[2, j];
                        expected[(8 + j) * c * t + at] = u[2, j] - u[1, j];
                        expected[(12 + j) * c * t + at] = u[1, j] - u[3, j];
                    }
                }
        // The plain layout V[ξ, ch, q] (nr = 0) and the GEMM's packed-B panels of nr tiles.
        foreach (int nr in new[] { 0, 4, 8, 16, 32 })
            foreach (bool vector in new[] { true, false })
            {
                int plane = WinogradPanels.PlaneLength(c, t, nr);
                var v = new float[16 * plane];
                WinogradConv.TransformInput(g, tilesH, tilesW, x, 5, n0, count, ch, t, v, vector, nr);
                for (int xi = 0; xi < 16; xi++)
                    for (int q = 0; q < t; q++)
                    {
                        float want = expected[xi * c * t + ch * t + q];
                        float got = v[xi * plane + (nr == 0 ? ch * t + q : WinogradPanels.Offset(q, ch, c, nr))];
                        Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got),
                            $"nr {nr}, vector {vector}, point {xi}, tile {q}: expected {want}, got {got}");
                    }
            }
    }

    [Fact]
    public void Results_are_bitwise_equal_on_one_and_two_threads()
    {
        int n = 130, c = 17, h = 9, w = 8, o = 6;
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, 1, 1);
        var x = Im2ColTests.Random(n * g.ImageSize, 17);
        var wt = Im2ColTests.Random(o * c * 9, 18);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 19);
        int saved = WorkerPool.MaxThreads;
        try
        {
            float[] y1 = new float[dy.Length], y2 = new float[dy.Length], dx1 = new float[x.Length], dx2 = new float[x.Length];
            float[] dw1 = new float[wt.Length], dw2 = new float[wt.Length];
            WorkerPool.MaxThreads = 1;
            WinogradConv.Forward(g, n, o, x, 0, wt, 0, null, 0, y1, 0);
            WinogradConv.BackwardInput(g, n, o, wt, 0, dy, 0, dx1, 0, false);
            WinogradConv.BackwardWeight(g, n, o, x, 0, dy, 0, dw1, 0, false);
            WorkerPool.MaxThreads = 2;
            WinogradConv.Forward(g, n, o, x, 0, wt, 0, null, 0, y2, 0);
            WinogradConv.BackwardInput(g, n, o, wt, 0, dy, 0, dx2, 0, false);
            WinogradConv.BackwardWeight(g, n, o, x, 0, dy, 0, dw2, 0, false);
            Assert.Equal(y1, y2);
            Assert.Equal(dx1, dx2);
            Assert.Equal(dw1, dw2);
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void Forward_and_both_gradients_allocate_nothing_in_steady_state()
    {
        int n = 4, c = 16, h = 10, w = 10, o = 16;
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, 1, 1);
        var x = Im2ColTests.Random(n * g.ImageSize, 20);
        var wt = Im2ColTests.Random(o * c * 9, 21);
        var y = new float[n * o * g.OutPixels];
        var dx = new float[x.Length];
        var dw = new float[wt.Length];
        void Step()
        {
            WinogradConv.Forward(g, n, o, x, 0, wt, 0, null, 0, y, 0);
            WinogradConv.BackwardInput(g, n, o, wt, 0, y, 0, dx, 0, false);
            WinogradConv.BackwardWeight(g, n, o, x, 0, y, 0, dw, 0, false);
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Auto_chooses_winograd_only_for_wide_3x3_stride_1_layers_and_direct_never()
    {
        var wide = new ConvGeometry(32, 28, 28, 3, 3, 1, 1, 1, 1);
        Assert.True(WinogradConv.Chosen(wide, 32, ConvAlgorithm.Auto));
        Assert.False(WinogradConv.Chosen(wide, 32, ConvAlgorithm.Direct));
        Assert.False(WinogradConv.Chosen(new ConvGeometry(1, 28, 28, 3, 3, 1, 1, 1, 1), 32, ConvAlgorithm.Auto));
        Assert.False(WinogradConv.Chosen(wide, 8, ConvAlgorithm.Auto));
        Assert.False(WinogradConv.Chosen(new ConvGeometry(64, 4, 4, 3, 3, 1, 1, 1, 1), 64, ConvAlgorithm.Auto));
        Assert.True(WinogradConv.Chosen(new ConvGeometry(64, 7, 7, 3, 3, 1, 1, 1, 1), 64, ConvAlgorithm.Auto));
        Assert.True(WinogradConv.Chosen(wide, 8, ConvAlgorithm.Winograd));
        // The input gradient follows the same rule (its 14×14 and 7×7 products gained 1.16–1.71× once V was packed).
        var small = new ConvGeometry(32, 14, 14, 3, 3, 1, 1, 1, 1);
        Assert.True(WinogradConv.Chosen(small, 64, ConvAlgorithm.Auto));
        Assert.False(WinogradConv.Chosen(new ConvGeometry(32, 28, 28, 3, 3, 2, 2, 1, 1), 32, ConvAlgorithm.Winograd));
        Assert.False(WinogradConv.Chosen(new ConvGeometry(32, 28, 28, 5, 5, 1, 1, 2, 2), 32, ConvAlgorithm.Winograd));
        Assert.False(WinogradConv.Chosen(new ConvGeometry(32, 28, 28, 3, 3, 1, 1, 3, 3), 32, ConvAlgorithm.Winograd));
        var e = Assert.Throws<ArgumentException>(() => WinogradConv.Forward(new ConvGeometry(2, 5, 5, 3, 3, 2, 2), 1, 1,
            new float[50], 0, new float[18], 0, null, 0, new float[4], 0));
        Assert.Contains("stride 2x2", e.Message);
    }
}
