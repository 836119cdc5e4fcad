using System.Runtime.Intrinsics.X86;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

[Collection(ProcessWideStateCollection.Name)]
public class Winograd5ConvTests
{
    // (batch, channels, height, width, out channels, padding): odd and even sizes, padding 0..4, channel counts that are
    // not multiples of any vector width, batch 1, a 1×1 output, a batch of several chunks, LeNet's conv2 size, and rows
    // of 8-tile vectors with a ragged last group (odd and even output widths).
    public static IEnumerable<object[]> Shapes() =>
    [
        [2, 3, 7, 6, 5, 2],
        [1, 17, 8, 9, 19, 0],
        [3, 16, 14, 14, 16, 2],
        [2, 5, 5, 5, 3, 4],
        [1, 1, 5, 5, 1, 0],
        [130, 2, 6, 5, 3, 1],
        [1, 3, 5, 19, 2, 3],
        [2, 2, 4, 37, 3, 1],
        [1, 4, 9, 40, 2, 2],
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_matches_the_direct_convolution_on_every_kernel_path(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 5, 5, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * c * h * w, 11);
        var wt = Im2ColTests.Random(o * c * 25, 12);
        var b = Im2ColTests.Random(o, 13);
        var expected = new float[n * o * g.OutPixels];
        Conv2dKernels.Forward(g, n, o, x, 0, wt, 0, b, 0, expected, 0, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var y = new float[expected.Length + 3];
            Winograd5Conv.Forward(path, g, n, o, x, 0, wt, 0, b, 0, y, 3);
            WinogradConvTests.AssertClose(expected, y, expected.Length, 3);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Input_gradient_matches_the_direct_backward_and_accumulates_on_request(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 5, 5, 1, 1, pad, pad);
        var wt = Im2ColTests.Random(o * c * 25, 14);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 15);
        var x = new float[n * g.ImageSize];
        var expected = new float[x.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, expected, 0, false, null, 0, false, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var dx = Im2ColTests.Random(x.Length, 26);
            Winograd5Conv.BackwardInput(path, g, n, o, wt, 0, dy, 0, dx, 0, accumulate: false);
            WinogradConvTests.AssertClose(expected, dx, dx.Length);
        }
        var prior = Im2ColTests.Random(x.Length, 16);
        var summed = (float[])prior.Clone();
        Winograd5Conv.BackwardInput(g, n, o, wt, 0, dy, 0, summed, 0, accumulate: true);
        for (int i = 0; i < summed.Length; i++) Assert.Equal(prior[i] + expected[i], summed[i], 1e-3f);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Weight_gradient_matches_the_direct_backward_and_accumulates_on_request(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 5, 5, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * g.ImageSize, 22);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 23);
        var wt = new float[o * c * 25];
        var expected = new float[wt.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, null, 0, false, expected, 0, false, ConvAlgorithm.Direct);
        foreach (var path in KernelPaths.All)
        {
            var dw = Im2ColTests.Random(wt.Length + 2, 24);
            Winograd5WeightGradient.Run(path, g, n, o, x, 0, dy, 0, dw, 2, accumulate: false);
            WinogradConvTests.AssertClose(expected, dw, expected.Length, 2);
        }
        // Short chunks, two slices: several chunks summed into one slice, then the slices added.
        var sliced = new float[wt.Length];
        Winograd5WeightGradient.Run(KernelPaths.Best, 16, 2, g, n, o, x, 0, dy, 0, sliced, 0, accumulate: false);
        WinogradConvTests.AssertClose(expected, sliced, expected.Length);
        var prior = Im2ColTests.Random(wt.Length, 25);
        var summed = (float[])prior.Clone();
        Winograd5Conv.BackwardWeight(g, n, o, x, 0, dy, 0, summed, 0, accumulate: true);
        for (int i = 0; i < summed.Length; i++) Assert.Equal(prior[i] + expected[i], summed[i], 1e-3f);
        // Conv2dKernels routes all three products by the rule: F(2×2, 5×5) when forced, bitwise im2col when Direct.
        var routed = new float[wt.Length];
        var routedDx = new float[x.Length];
        Conv2dKernels.Backward(g, n, o, x, 0, wt, 0, dy, 0, routedDx, 0, false, routed, 0, false, ConvAlgorithm.Winograd);
        var winograd = new float[wt.Length];
        Winograd5Conv.BackwardWeight(g, n, o, x, 0, dy, 0, winograd, 0, accumulate: false);
        Assert.Equal(winograd, routed);
        var winogradDx = new float[x.Length];
        Winograd5Conv.BackwardInput(g, n, o, wt, 0, dy, 0, winogradDx, 0, accumulate: false);
        Assert.Equal(winogradDx, routedDx);
    }

    [Fact]
    public void Results_are_bitwise_equal_on_one_and_two_threads()
    {
        int n = 131, c = 17, h = 9, w = 8, o = 6;
        var g = new ConvGeometry(c, h, w, 5, 5, 1, 1, 2, 2);
        var x = Im2ColTests.Random(n * g.ImageSize, 17);
        var wt = Im2ColTests.Random(o * c * 25, 18);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 19);
        int saved = WorkerPool.MaxThreads;
        try
        {
            float[] y1 = new float[dy.Length], y2 = new float[dy.Length], dx1 = new float[x.Length], dx2 = new float[x.Length];
            float[] dw1 = new float[wt.Length], dw2 = new float[wt.Length];
            WorkerPool.MaxThreads = 1;
            Winograd5Conv.Forward(g, n, o, x, 0, wt, 0, null, 0, y1, 0);
            Winograd5Conv.BackwardInput(g, n, o, wt, 0, dy, 0, dx1, 0, false);
            Winograd5Conv.BackwardWeight(g, n, o, x, 0, dy, 0, dw1, 0, false);
            WorkerPool.MaxThreads = 2;
            Winograd5Conv.Forward(g, n, o, x, 0, wt, 0, null, 0, y2, 0);
            Winograd5Conv.BackwardInput(g, n, o, wt, 0, dy, 0, dx2, 0, false);
            Winograd5Conv.BackwardWeight(g, n, o, x, 0, dy, 0, dw2, 0, false);
            Assert.Equal(y1, y2);
            Assert.Equal(dx1, dx2);
            Assert.Equal(dw1, dw2);
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    // Tile counts per chunk that are not multiples of any panel width (147, 57, 90, 3 tiles: 147 % 16 = 3 and so on), an
    // 8-tile vector crossing a panel edge in the last channel, tile rows wider than 8 tiles, one channel.
    public static IEnumerable<object[]> RaggedShapes() =>
    [
        [3, 32, 14, 14, 64, 2],
        [3, 17, 7, 9, 19, 1],
        [1, 5, 18, 20, 6, 0],
        [1, 1, 6, 10, 2, 1],
        [40, 3, 8, 7, 4, 2],
    ];

    [Theory]
    [MemberData(nameof(RaggedShapes))]
    public void Products_on_packed_panels_give_the_bits_of_the_packing_gemm(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 5, 5, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * g.ImageSize, 31);
        var wt = Im2ColTests.Random(o * c * 25, 32);
        var b = Im2ColTests.Random(o, 33);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 34);
        foreach (var path in KernelPaths.All)
        {
            float[] plain = new float[dy.Length], packed = new float[dy.Length];
            Winograd5Conv.Forward(path, g, n, o, x, 0, wt, 0, b, 0, plain, 0, packed: false);
            Winograd5Conv.Forward(path, g, n, o, x, 0, wt, 0, b, 0, packed, 0, packed: true);
            Assert.Equal(plain, packed);
            float[] dxPlain = new float[x.Length], dxPacked = new float[x.Length];
            Winograd5Conv.BackwardInput(path, g, n, o, wt, 0, dy, 0, dxPlain, 0, false, packed: false);
            Winograd5Conv.BackwardInput(path, g, n, o, wt, 0, dy, 0, dxPacked, 0, false, packed: true);
            Assert.Equal(dxPlain, dxPacked);
        }
    }

    [Theory]
    [MemberData(nameof(RaggedShapes))]
    public void Packed_input_transform_holds_the_plain_one_in_panel_order_with_zero_padding(int n, int c, int h, int w, int o, int pad)
    {
        _ = o;
        var g = new ConvGeometry(c, h, w, 5, 5, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * g.ImageSize, 35);
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2, t = n * tilesH * tilesW;
        int plainPlane = Winograd5Conv.InputPlane(c, t);
        var plain = new float[36 * plainPlane];
        for (int ch = 0; ch < c; ch++) Winograd5Conv.TransformInput(g, tilesH, tilesW, x, 0, 0, n, ch, t, plain, plainPlane, 0, vector: Avx2.IsSupported);
        foreach (int panel in new[] { 8, 16, 32 })
        {
            int plane = WinogradPanels.PlaneLength(c, t, panel), panels = (t + panel - 1) / panel;
            var packed = Im2ColTests.Random(36 * plane, 36);
            for (int ch = 0; ch < c; ch++) Winograd5Conv.TransformInput(g, tilesH, tilesW, x, 0, 0, n, ch, t, packed, plane, panel, vector: Avx2.IsSupported);
            WinogradPanels.ClearPadding(packed, 36, c, t, panel);
            for (int xi = 0; xi < 36; xi++)
                for (int ch = 0; ch < c; ch++)
                    for (int tile = 0; tile < panels * panel; tile++)
                    {
                        float expected = tile < t ? plain[xi * plainPlane + ch * t + tile] : 0f;
                        Assert.Equal(expected, packed[xi * plane + WinogradPanels.Offset(tile, ch, c, panel)]);
                    }
        }
    }

    [Fact]
    public void Forward_and_both_gradients_allocate_nothing_in_steady_state()
    {
        int n = 4, c = 16, h = 14, w = 14, o = 16;
        var g = new ConvGeometry(c, h, w, 5, 5, 1, 1, 2, 2);
        var x = Im2ColTests.Random(n * g.ImageSize, 20);
        var wt = Im2ColTests.Random(o * c * 25, 21);
        var y = new float[n * o * g.OutPixels];
        var dx = new float[x.Length];
        var dw = new float[wt.Length];
        void Step()
        {
            Winograd5Conv.Forward(g, n, o, x, 0, wt, 0, null, 0, y, 0);
            Winograd5Conv.BackwardInput(g, n, o, wt, 0, y, 0, dx, 0, false);
            Winograd5Conv.BackwardWeight(g, n, o, x, 0, y, 0, dw, 0, false);
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Chunks_are_whole_images_even_in_number_and_fixed_by_the_shape()
    {
        Assert.Equal(1, Winograd5Conv.Chunks(1, 49, 256));
        Assert.Equal(26, Winograd5Conv.Chunks(128, 49, 256));
        Assert.Equal(4, Winograd5Conv.Chunks(10, 60, 256));
        Assert.Equal(3, Winograd5Conv.Chunks(3, 400, 256));
        Assert.Equal(4, Winograd5Conv.Chunks(130, 4, 256));
    }

    [Fact]
    public void Auto_chooses_winograd_only_for_wide_5x5_stride_1_layers_and_direct_never()
    {
        var lenet2 = new ConvGeometry(32, 14, 14, 5, 5, 1, 1, 2, 2);
        Assert.True(Winograd5Conv.Chosen(lenet2, 64, ConvAlgorithm.Auto));
        Assert.False(Winograd5Conv.Chosen(lenet2, 64, ConvAlgorithm.Direct));
        Assert.False(Winograd5Conv.Chosen(new ConvGeometry(8, 14, 14, 5, 5, 1, 1, 2, 2), 16, ConvAlgorithm.Auto));
        Assert.True(Winograd5Conv.Chosen(new ConvGeometry(64, 4, 4, 5, 5, 1, 1, 2, 2), 64, ConvAlgorithm.Auto));
        Assert.False(Winograd5Conv.Chosen(new ConvGeometry(64, 3, 3, 5, 5, 1, 1, 2, 2), 64, ConvAlgorithm.Auto));
        var lenet1 = new ConvGeometry(1, 28, 28, 5, 5, 1, 1, 2, 2);
        Assert.False(Winograd5Conv.Chosen(lenet1, 32, ConvAlgorithm.Auto));
        Assert.True(Winograd5Conv.Chosen(lenet1, 32, ConvAlgorithm.Winograd));
        Assert.False(Winograd5Conv.Chosen(new ConvGeometry(32, 14, 14, 5, 5, 2, 2, 2, 2), 64, ConvAlgorithm.Winograd));
        Assert.False(Winograd5Conv.Chosen(new ConvGeometry(32, 14, 14, 3, 3, 1, 1, 1, 1), 64, ConvAlgorithm.Winograd));
        Assert.False(Winograd5Conv.Chosen(new ConvGeometry(32, 14, 14, 5, 5, 1, 1, 5, 5), 64, ConvAlgorithm.Winograd));
        var e = Assert.Throws<ArgumentException>(() => Winograd5Conv.Forward(new ConvGeometry(2, 5, 5, 5, 5, 2, 2), 1, 1,
            new float[50], 0, new float[50], 0, null, 0, new float[1], 0));
        Assert.Contains("stride 2x2", e.Message);
    }
}
