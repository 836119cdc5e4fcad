using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Kernels;

public class Im2ColTests
{
    // c, h, w, kh, kw, sh, sw, ph, pw, dh, dw
    public static IEnumerable<object[]> Geometries =>
    [
        [1, 5, 5, 3, 3, 1, 1, 0, 0, 1, 1],
        [2, 7, 6, 3, 2, 2, 1, 1, 0, 1, 1],
        [3, 9, 7, 2, 3, 1, 3, 2, 1, 2, 1],
        [2, 5, 8, 5, 5, 1, 1, 2, 2, 1, 1],
        [1, 4, 4, 3, 3, 2, 2, 3, 3, 1, 2],
    ];

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Pack_places_every_tap_or_zero_padding_where_the_formula_says(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
    {
        var g = new ConvGeometry(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        var x = Random(c * h * w, 1);
        int ldc = g.OutPixels + 3;
        var cols = new float[g.PatchSize * ldc];
        Array.Fill(cols, float.NaN);
        Im2Col.Pack(g, x, cols, ldc);
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                    for (int oy = 0; oy < g.OutH; oy++)
                        for (int ox = 0; ox < g.OutW; ox++)
                        {
                            int iy = oy * sh - ph + i * dh, ix = ox * sw - pw + j * dw;
                            float expected = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0f : x[(ch * h + iy) * w + ix];
                            Assert.Equal(expected, cols[((ch * kh + i) * kw + j) * ldc + oy * g.OutW + ox]);
                        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Unpack_is_the_adjoint_of_pack(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
    {
        // <Pack(x), z> = <x, Unpack(z)> for all x, z characterizes the scatter-add.
        var g = new ConvGeometry(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        int p = g.OutPixels;
        var x = Random(c * h * w, 2);
        var z = Random(g.PatchSize * p, 3);
        var cols = new float[g.PatchSize * p];
        Im2Col.Pack(g, x, cols, p);
        var back = new float[c * h * w];
        Im2Col.Unpack(g, z, p, back);
        double left = 0, right = 0;
        for (int i = 0; i < cols.Length; i++) left += (double)cols[i] * z[i];
        for (int i = 0; i < x.Length; i++) right += (double)x[i] * back[i];
        Assert.Equal(left, right, 3);
    }

    [Fact]
    public void Geometry_rejects_a_window_larger_than_the_padded_image()
    {
        var e = Assert.Throws<ArgumentException>(() => new ConvGeometry(1, 3, 3, 5, 5));
        Assert.Contains("3x3", e.Message);
    }

    internal static float[] Random(int n, ulong seed)
    {
        var a = new float[n];
        new Rng(seed).FillNormal(a);
        return a;
    }
}
