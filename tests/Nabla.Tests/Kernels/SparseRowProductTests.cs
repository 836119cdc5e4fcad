using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

[Collection(ProcessWideStateCollection.Name)]
public class SparseRowProductTests
{
    private static (float[] X, float[] BT) Random(int k, int n, double zeroFraction, int seed)
    {
        var rng = new Random(seed);
        var x = new float[k];
        for (int p = 0; p < k; p++) x[p] = rng.NextDouble() < zeroFraction ? 0f : (float)(rng.NextDouble() * 2 - 1);
        var bT = new float[k * n];
        for (int i = 0; i < bT.Length; i++) bT[i] = (float)(rng.NextDouble() * 2 - 1);
        return (x, bT);
    }

    [Theory]
    [InlineData(784, 256)]
    [InlineData(256, 128)]
    [InlineData(100, 145)]
    [InlineData(33, 17)]
    [InlineData(5, 3)]
    [InlineData(5000, 20)]
    public void Matches_a_double_precision_dense_product_for_both_betas(int k, int n)
    {
        var (x, bT) = Random(k, n, 0.6, k + n);
        var y0 = Enumerable.Range(0, n).Select(j => (float)Math.Cos(j)).ToArray();
        foreach (float beta in new[] { 0f, 1f })
        {
            var y = (float[])y0.Clone();
            SparseRowProduct.Compute(x, bT, n, beta, y);
            for (int j = 0; j < n; j++)
            {
                double d = beta * y0[j];
                for (int p = 0; p < k; p++) d += (double)x[p] * bT[p * n + j];
                Assert.True(Math.Abs(d - y[j]) < 1e-5 * (1 + Math.Abs(d)) * Math.Sqrt(k), $"k={k} n={n} beta={beta} [{j}]: {y[j]} vs {d}");
            }
        }
    }

    [Fact]
    public void A_NaN_input_is_not_skipped()
    {
        var (x, bT) = Random(40, 20, 0.5, 3);
        x[7] = float.NaN;
        var y = new float[20];
        SparseRowProduct.Compute(x, bT, 20, 0f, y);
        Assert.All(y, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void An_all_zero_row_leaves_beta_times_y()
    {
        var y = new float[] { 1f, 2f, 3f };
        SparseRowProduct.Compute(new float[4], new float[12], 3, 1f, y);
        Assert.Equal([1f, 2f, 3f], y);
        SparseRowProduct.Compute(new float[4], new float[12], 3, 0f, y);
        Assert.Equal([0f, 0f, 0f], y);
    }

    [Fact]
    public void Two_threads_give_bitwise_the_same_y_as_one()
    {
        var (x, bT) = Random(784, 384, 0.5, 9);
        int saved = WorkerPool.MaxThreads;
        try
        {
            float[] Run(int threads)
            {
                WorkerPool.MaxThreads = threads;
                var y = new float[384];
                SparseRowProduct.Compute(x, bT, 384, 0f, y);
                return y;
            }
            Assert.Equal(Run(1), Run(2));
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void Worth_skipping_from_a_quarter_of_zeros_and_bad_arguments_are_named()
    {
        Assert.True(SparseRowProduct.WorthSkipping([0f, 1f, 2f, 3f]));
        Assert.False(SparseRowProduct.WorthSkipping([0f, 1f, 2f, 3f, 4f]));
        Assert.Throws<ArgumentException>(() => SparseRowProduct.Compute(new float[4], new float[11], 3, 0f, new float[3]));
        Assert.Throws<ArgumentException>(() => SparseRowProduct.Compute(new float[4], new float[12], 3, 0.5f, new float[3]));
    }
}
