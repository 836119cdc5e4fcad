using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Kernels;

/// <summary>Layer normalization against the double-precision formula, and the same bits on one and two threads.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class LayerNormKernelsTests
{
    [Fact]
    public void LayerNorm_matches_the_formula_and_its_parameter_gradients_do_not_depend_on_the_thread_count()
    {
        var rng = new Rng(4);
        int rows = 300, cols = 37;
        var x = AttentionKernelsTests.Random(rng, rows * cols);
        for (int i = 0; i < x.Length; i++) x[i] = x[i] * 4 + 100;   // a large mean must not cost precision
        var gamma = AttentionKernelsTests.Random(rng, cols);
        var beta = AttentionKernelsTests.Random(rng, cols);
        var g = AttentionKernelsTests.Random(rng, rows * cols);
        (float[] Y, float[] Dx, float[] Dg, float[] Db) Run(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            try
            {
                WorkerPool.MaxThreads = threads;
                var y = new float[x.Length];
                var mean = new float[rows];
                var rstd = new float[rows];
                LayerNormKernels.Forward(x, rows, cols, gamma, beta, 1e-5f, y, mean, rstd);
                var dx = new float[x.Length];
                var dg = new float[cols];
                var db = new float[cols];
                LayerNormKernels.Backward(x, g, rows, cols, mean, rstd, gamma, dx, false, dg, false, db, false);
                return (y, dx, dg, db);
            }
            finally { WorkerPool.MaxThreads = saved; }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.Dg, two.Dg);
        Assert.Equal(one.Db, two.Db);
        for (int r = 0; r < rows; r += 17)
        {
            var row = x.AsSpan(r * cols, cols).ToArray().Select(v => (double)v).ToArray();
            double mu = row.Average(), sd = Math.Sqrt(row.Average(v => (v - mu) * (v - mu)) + 1e-5);
            for (int c = 0; c < cols; c++) Assert.Equal((row[c] - mu) / sd * gamma[c] + beta[c], one.Y[r * cols + c], 2e-5);
        }
        for (int c = 0; c < cols; c++)
        {
            double db = 0;
            for (int r = 0; r < rows; r++) db += g[r * cols + c];
            Assert.Equal(db, one.Db[c], 1e-4);
        }
    }
}
