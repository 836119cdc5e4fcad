using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>
/// A linear layer whose products are too small to split runs ∂x, ∂W and ∂b side by side on the worker
/// pool; the gradients must be the serial path's bits, when overwriting and when accumulating, and a layer
/// applied to its own weight (one buffer for both gradients) must stay correct.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class LinearBackwardThreadingTests
{
    private static float[][] Gradients(int threads, Func<Tensor, Tensor, Tensor, Tensor> loss, int rows, int inFeatures, int outFeatures, bool prefill)
    {
        int saved = WorkerPool.MaxThreads;
        WorkerPool.MaxThreads = threads;
        try
        {
            var rng = new Rng(11);
            var x = Tensor.Randn(new Shape(rows, inFeatures), rng).RequireGrad();
            var w = Tensor.Randn(new Shape(outFeatures, inFeatures), rng).RequireGrad();
            var b = Tensor.Randn(new Shape(outFeatures), rng).RequireGrad();
            if (prefill)
                foreach (var p in new[] { x, w, b }) p.Grad = Tensor.Randn(p.Shape, rng);
            loss(x, w, b).Backward();
            return [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Theory]
    [InlineData(128, 128, 10, false)]   // the MLP's output layer: both products 128·10·128 < 2^18
    [InlineData(128, 128, 10, true)]
    [InlineData(33, 17, 5, false)]
    [InlineData(128, 256, 128, false)]  // large enough for the products to split themselves instead
    public void Side_by_side_gradients_equal_the_serial_ones_bitwise(int rows, int inFeatures, int outFeatures, bool prefill)
    {
        // Used twice: the second use accumulates into the same buffers.
        Tensor Loss(Tensor x, Tensor w, Tensor b) => (x.Linear(w, b).Relu() * x.Linear(w, b)).Sum();
        var one = Gradients(1, Loss, rows, inFeatures, outFeatures, prefill);
        var two = Gradients(2, Loss, rows, inFeatures, outFeatures, prefill);
        for (int i = 0; i < one.Length; i++)
            Assert.Equal(Array.ConvertAll(one[i], BitConverter.SingleToInt32Bits), Array.ConvertAll(two[i], BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1, 600, 300, 37, false)]  // k blocks in both products (300 > KC, 600 > KC), edge tiles in m and n
    [InlineData(1, 600, 300, 37, true)]
    [InlineData(2, 600, 300, 37, true)]
    [InlineData(2, 4096 / 8, 256, 1024 / 4, false)]
    [InlineData(2, 130, 64, 16, true)]    // the narrow AVX-512 kernel
    public void Bias_folded_into_the_products_gives_the_separate_passes_bits(int threads, int rows, int inFeatures, int outFeatures, bool prefill)
    {
        // y through the GEMM's bias write-back and ∂b from the packing of Gᵀ, against the bias fill and a
        // pass of its own over G (LinearOp.FusedBias = false); used twice so the second use accumulates.
        Tensor Loss(Tensor x, Tensor w, Tensor b) => (x.Linear(w, b).Relu() * x.Linear(w, b)).Sum();
        float[][] Run(bool fused)
        {
            LinearOp.FusedBias = fused;
            try
            {
                var grads = Gradients(threads, Loss, rows, inFeatures, outFeatures, prefill);
                var rng = new Rng(3);
                var x = Tensor.Randn(new Shape(rows, inFeatures), rng);
                var w = Tensor.Randn(new Shape(outFeatures, inFeatures), rng);
                var b = Tensor.Randn(new Shape(outFeatures), rng);
                return [.. grads, x.Linear(w, b).ToArray()];
            }
            finally
            {
                LinearOp.FusedBias = true;
            }
        }
        var folded = Run(true);
        var separate = Run(false);
        for (int i = 0; i < folded.Length; i++)
            Assert.Equal(Array.ConvertAll(separate[i], BitConverter.SingleToInt32Bits), Array.ConvertAll(folded[i], BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_layer_applied_to_its_own_weight_sums_both_gradients()
    {
        // y = x·xᵀ (32·32·48 multiply-adds, small enough for the side-by-side path): ∂x and ∂W go to one
        // buffer, and d(Σy)/dx = 2·(column sums of x) on every row.
        var rng = new Rng(5);
        const int Rows = 32, Cols = 48;
        var x = Tensor.Randn(new Shape(Rows, Cols), rng).RequireGrad();
        x.Linear(x, null).Sum().Backward();
        var xs = x.ToArray();
        var g = x.Grad!.ToArray();
        for (int c = 0; c < Cols; c++)
        {
            double colSum = 0;
            for (int r = 0; r < Rows; r++) colSum += xs[r * Cols + c];
            for (int r = 0; r < Rows; r++) Assert.Equal(2 * colSum, g[r * Cols + c], 1e-3);
        }
    }
}
