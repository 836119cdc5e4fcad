using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

public class PoolingKernelsTests
{
    [Fact]
    public void MaxPool_takes_the_first_maximum_on_ties_and_sends_the_gradient_there()
    {
        var g = new ConvGeometry(1, 2, 4, 2, 2, 2, 2);
        float[] x = [1, 3, 5, 5, 3, 2, 5, 0];
        var y = new float[2];
        var idx = new int[2];
        PoolingKernels.MaxPool(g, 1, x, y, idx);
        Assert.Equal([3f, 5f], y);
        Assert.Equal([1, 2], idx);
        var dx = new float[8];
        PoolingKernels.MaxPoolGrad(g, 1, [10f, 20f], idx, dx);
        Assert.Equal([0f, 10, 20, 0, 0, 0, 0, 0], dx);
    }

    [Fact]
    public void MaxPool_fast_2x2_path_agrees_with_the_generic_path()
    {
        // A 3x3 window with stride 2 never takes the fast path; a 2x2 one does. Compare 2x2 against a loop.
        var g = new ConvGeometry(1, 6, 8, 2, 2, 2, 2);
        var x = Im2ColTests.Random(2 * 48, 9);
        var y = new float[2 * 12];
        var idx = new int[2 * 12];
        PoolingKernels.MaxPool(g, 2, x, y, idx);
        for (int p = 0; p < 2; p++)
            for (int oy = 0; oy < 3; oy++)
                for (int ox = 0; ox < 4; ox++)
                {
                    float best = float.NegativeInfinity;
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++) best = Math.Max(best, x[p * 48 + (2 * oy + i) * 8 + 2 * ox + j]);
                    Assert.Equal(best, y[p * 12 + oy * 4 + ox]);
                    Assert.Equal(best, x[p * 48 + idx[p * 12 + oy * 4 + ox]]);
                }
    }

    [Fact]
    public void AvgPool_divides_by_the_full_window_when_padding_counts_and_by_the_taps_otherwise()
    {
        var g = new ConvGeometry(1, 2, 2, 2, 2, 1, 1, 1, 1);
        float[] x = [1, 2, 3, 4];
        var y = new float[9];
        PoolingKernels.AvgPool(g, 1, true, x, y);
        Assert.Equal(0.25f, y[0]);
        Assert.Equal(2.5f, y[4]);
        PoolingKernels.AvgPool(g, 1, false, x, y);
        Assert.Equal(1f, y[0]);
        Assert.Equal(1.5f, y[1]);
    }

    [Fact]
    public void AdaptiveAvgPool_uses_overlapping_floor_and_ceiling_bins()
    {
        // 5 columns into 3 bins: [0,2), [1,4), [3,5).
        float[] x = [1, 2, 3, 4, 5];
        var y = new float[3];
        PoolingKernels.AdaptiveAvgPool(1, 1, 5, 1, 3, x, y);
        Assert.Equal([1.5f, 3f, 4.5f], y);
    }
}
