using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The Winograd products run from V written straight into the GEMM's packed-B panels (<see cref="Gemm.SgemmPackedB"/>)
/// give bitwise the results of the plain layout through the packing GEMM, on every kernel path.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class WinogradPackedProductsTests
{
    // (batch, channels, height, width, out channels, padding): tile counts that are not multiples of any panel width,
    // a single tile, chunks of several images, more channels than one k block (KC = 256: two blocks of 150), padding
    // 0/1/2, and the cnn3 shapes.
    public static IEnumerable<object[]> Shapes() =>
    [
        [3, 5, 9, 7, 6, 1],
        [1, 3, 3, 3, 2, 0],
        [2, 300, 6, 6, 4, 1],
        [2, 40, 14, 13, 70, 2],
        [130, 2, 6, 5, 3, 1],
        [5, 17, 28, 28, 19, 1],
        [3, 64, 14, 14, 64, 1],
    ];

    private static void AssertBitwise(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, element {i}: plain {expected[i]}, packed {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_input_gradient_are_bitwise_those_of_the_packing_gemm(int n, int c, int h, int w, int o, int pad)
    {
        var g = new ConvGeometry(c, h, w, 3, 3, 1, 1, pad, pad);
        var x = Im2ColTests.Random(n * g.ImageSize, 41);
        var wt = Im2ColTests.Random(o * c * 9, 42);
        var b = Im2ColTests.Random(o, 43);
        var dy = Im2ColTests.Random(n * o * g.OutPixels, 44);
        var prior = Im2ColTests.Random(x.Length, 45);
        foreach (var path in KernelPaths.All)
            foreach (bool f4 in new[] { false, true })
            {
                string name = $"{(f4 ? "F4" : "F2")} {path}";
                float[] Fwd(bool packed)
                {
                    var y = new float[n * o * g.OutPixels];
                    if (f4) WinogradF4Conv.Forward(path, g, n, o, x, 0, wt, 0, b, 0, y, 0, packed);
                    else WinogradConv.Forward(path, g, n, o, x, 0, wt, 0, b, 0, y, 0, packed);
                    return y;
                }
                float[] Dx(bool packed, bool accumulate)
                {
                    var dx = accumulate ? (float[])prior.Clone() : new float[x.Length];
                    if (f4) WinogradF4Conv.BackwardInput(path, g, n, o, wt, 0, dy, 0, dx, 0, accumulate, packed);
                    else WinogradConv.BackwardInput(path, g, n, o, wt, 0, dy, 0, dx, 0, accumulate, packed);
                    return dx;
                }
                AssertBitwise(Fwd(false), Fwd(true), name + " forward");
                AssertBitwise(Dx(false, false), Dx(true, false), name + " input gradient");
                AssertBitwise(Dx(false, true), Dx(true, true), name + " accumulated input gradient");
            }
    }

    [Theory]
    [InlineData(5, 1, 3)]
    [InlineData(13, 37, 300)]
    [InlineData(64, 980, 64)]
    [InlineData(7, 16, 513)]
    public void Packed_b_gemm_is_bitwise_the_packing_gemm(int m, int n, int k)
    {
        var a = Im2ColTests.Random(m * k, 46);
        var bm = Im2ColTests.Random(k * n, 47);
        foreach (var path in KernelPaths.All)
        {
            var expected = new float[m * n];
            Gemm.Sgemm(path, false, false, m, n, k, 1f, a, k, bm, n, 0f, expected, n, maxThreads: 1);
            int nr = Gemm.PackedPanelWidth(path, n), panels = (n + nr - 1) / nr;
            var packed = new float[panels * nr * k];
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++)
                    packed[((j / nr) * k + p) * nr + j % nr] = bm[p * n + j];
            var c = Im2ColTests.Random(m * n, 48);
            Gemm.SgemmPackedB(path, m, n, k, a, k, packed, c, n);
            AssertBitwise(expected, c, $"{path} {m}x{n}x{k}");
        }
    }
}
