namespace Nabla.Tests.Kernels;

/// <summary>Direct (loop) convolution and pooling used as references by the conv tests.</summary>
internal static class ConvReference
{
    /// <summary>y[n,o,oy,ox] = b[o] + Σ W[o,c,i,j]·x[n,c,oy·sh−ph+i·dh, ox·sw−pw+j·dw], double accumulation.</summary>
    public static float[] Conv2d(float[] x, int n, int c, int h, int w, float[] wt, int o, int kh, int kw, float[]? bias,
        int sh, int sw, int ph, int pw, int dh, int dw, out int oh, out int ow)
    {
        oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        var y = new float[n * o * oh * ow];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double s = bias?[oc] ?? 0;
                        for (int ic = 0; ic < c; ic++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int iy = oy * sh - ph + i * dh, ix = ox * sw - pw + j * dw;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    s += (double)wt[((oc * c + ic) * kh + i) * kw + j] * x[((b * c + ic) * h + iy) * w + ix];
                                }
                        y[((b * o + oc) * oh + oy) * ow + ox] = (float)s;
                    }
        return y;
    }
}
