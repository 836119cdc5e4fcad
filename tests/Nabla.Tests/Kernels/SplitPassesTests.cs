using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Kernels;

/// <summary>
/// ReLU, its mask, log-softmax, a convolution's bias gradient and max pooling split their work across threads (RangeSplit); the split must give the
/// bits of the serial pass, for lengths at and around the threshold, ragged tails, NaN, in place and accumulating.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class SplitPassesTests
{
    private static T WithThreads<T>(int threads, Func<T> run)
    {
        int saved = WorkerPool.MaxThreads;
        WorkerPool.MaxThreads = threads;
        try
        {
            return run();
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    private static float[] Data(int n, int seed)
    {
        var a = Tensor.Randn(new Shape(n), new Rng((ulong)seed)).ToArray();
        a[n / 3] = float.NaN;
        a[n / 2] = 0f;
        a[n - 1] = float.NegativeInfinity;
        return a;
    }

    [Theory]
    [InlineData(ReluSplit.ParallelThreshold - 1)]
    [InlineData(ReluSplit.ParallelThreshold)]
    [InlineData(ReluSplit.ParallelThreshold + 7)]
    [InlineData(100_003)]
    public void Relu_forward_and_mask_on_two_threads_equal_one_thread_bitwise(int n)
    {
        var x = Data(n, 1);
        var g = Data(n, 2);
        var start = Data(n, 3);
        float[][] Run() =>
        [
            Apply(y => Activations.Relu(x, y), n),
            Apply(dx => ActivationGrads.ReluGrad(x, g, dx), n),
            Apply(dx => { start.CopyTo(dx, 0); ActivationGrads.ReluGrad(x, g, dx, accumulate: true); }, n),
            Apply(dx => { g.CopyTo(dx, 0); ActivationGrads.ReluGrad(x, dx, dx); }, n),   // in place
            Apply(y => { x.CopyTo(y, 0); Activations.Relu(y, y); }, n),
        ];
        var one = WithThreads(1, Run);
        var two = WithThreads(2, Run);
        for (int v = 0; v < one.Length; v++) Assert.Equal(Bits(one[v]), Bits(two[v]));

        // And the serial result is the definition: max(x, 0), g·[x > 0] (+ start).
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(float.IsNaN(x[i]) ? float.NaN : MathF.Max(x[i], 0f)), BitConverter.SingleToInt32Bits(two[0][i]));
            Assert.Equal(x[i] > 0f ? g[i] : 0f, two[1][i]);
            Assert.Equal(start[i] + (x[i] > 0f ? g[i] : 0f), two[2][i]);
        }
    }

    [Theory]
    [InlineData(128, 10)]
    [InlineData(1000, 37)]
    [InlineData(3, 5)]
    [InlineData(257, 4)]
    public void Log_softmax_rows_on_two_threads_equal_one_thread_bitwise(int rows, int cols)
    {
        var x = Data(rows * cols, 4);
        x[rows * cols / 3] = 1f;   // one row with NaN is enough (its neighbour rows stay finite)
        float[][] Run() =>
        [
            Apply(y => SoftmaxKernels.LogSoftmax(x, rows, cols, y), rows * cols),
            Apply(y => { x.CopyTo(y, 0); SoftmaxKernels.LogSoftmax(y, rows, cols, y); }, rows * cols),   // in place
        ];
        var one = WithThreads(1, Run);
        var two = WithThreads(2, Run);
        Assert.Equal(Bits(one[0]), Bits(two[0]));
        Assert.Equal(Bits(one[1]), Bits(two[1]));
        // Each row against a double-precision log-softmax (finite rows only).
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * cols, cols);
            bool finite = true;
            foreach (float v in row) finite &= float.IsFinite(v);
            if (!finite) continue;
            double m = double.NegativeInfinity, s = 0;
            foreach (float v in row) m = Math.Max(m, v);
            foreach (float v in row) s += Math.Exp(v - m);
            for (int c = 0; c < cols; c++) Assert.Equal(row[c] - m - Math.Log(s), two[0][r * cols + c], 1e-5);
        }
    }

    [Theory]
    [InlineData(128, 32, 784)]   // cnn3 conv2's bias gradient
    [InlineData(128, 63, 196)]   // odd channel count: unequal ranges
    [InlineData(2, 3, 5)]        // under the threshold: serial
    public void Conv_bias_gradient_on_two_threads_equals_one_thread_bitwise(int batch, int channels, int pixels)
    {
        var dy = Data(batch * channels * pixels, 5);
        dy[batch * channels * pixels / 3] = 1f;   // keep the sums finite
        dy[batch * channels * pixels - 1] = 2f;
        var start = Data(channels, 6);
        start[channels / 3] = start[channels / 2] = start[channels - 1] = 0.5f;
        float[][] Run() =>
        [
            Apply(db => ConvBiasGradSplit.Run(dy, batch, channels, pixels, db, accumulate: false), channels),
            Apply(db => { start.CopyTo(db, 0); ConvBiasGradSplit.Run(dy, batch, channels, pixels, db, accumulate: true); }, channels),
        ];
        var one = WithThreads(1, Run);
        var two = WithThreads(2, Run);
        Assert.Equal(Bits(one[0]), Bits(two[0]));
        Assert.Equal(Bits(one[1]), Bits(two[1]));
        for (int o = 0; o < channels; o++)
        {
            double s = 0;
            for (int i = 0; i < batch; i++)
                for (int q = 0; q < pixels; q++) s += dy[(i * channels + o) * pixels + q];
            Assert.Equal(s, two[0][o], 1e-3);
            Assert.Equal(start[o] + s, two[1][o], 1e-3);
        }
    }

    [Theory]
    [InlineData(128 * 32, 28, 2, 2)]   // cnn3's first pool
    [InlineData(127, 14, 2, 2)]        // odd plane count
    [InlineData(61, 13, 3, 2)]         // overlapping windows, ragged edge
    [InlineData(2, 6, 2, 2)]           // under the threshold: serial
    public void Max_pool_on_two_threads_equals_one_thread_bitwise(int planes, int size, int kernel, int stride)
    {
        var g = new ConvGeometry(1, size, size, kernel, kernel, stride, stride, 0, 0);
        int inSize = planes * size * size, outSize = planes * g.OutPixels;
        var x = Data(inSize, 7);
        var dy = Data(outSize, 8);
        var start = Data(inSize, 9);
        float[][] Run()
        {
            var y = new float[outSize];
            var argmax = new int[outSize];
            MaxPoolSplit.Forward(g, planes, x, y, argmax);
            var dx = Apply(d => MaxPoolSplit.Backward(g, planes, dy, argmax, d, accumulate: false), inSize);
            var dxAcc = Apply(d => { start.CopyTo(d, 0); MaxPoolSplit.Backward(g, planes, dy, argmax, d, accumulate: true); }, inSize);
            return [y, Array.ConvertAll(argmax, i => (float)i), dx, dxAcc];
        }
        var one = WithThreads(1, Run);
        var two = WithThreads(2, Run);
        for (int v = 0; v < one.Length; v++) Assert.Equal(Bits(one[v]), Bits(two[v]));
        // The serial kernels are the definition.
        var yRef = new float[outSize];
        var aRef = new int[outSize];
        PoolingKernels.MaxPool(g, planes, x, yRef, aRef);
        var dxRef = new float[inSize];
        PoolingKernels.MaxPoolGrad(g, planes, dy, aRef, dxRef);
        Assert.Equal(Bits(yRef), Bits(two[0]));
        Assert.Equal(Bits(dxRef), Bits(two[2]));
    }

    private static float[] Apply(Action<float[]> kernel, int n)
    {
        var y = new float[n];
        kernel(y);
        return y;
    }

    private static int[] Bits(float[] a) => Array.ConvertAll(a, BitConverter.SingleToInt32Bits);
}
