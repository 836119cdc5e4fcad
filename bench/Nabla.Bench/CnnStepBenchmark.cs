using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// One training step of the Fashion-MNIST LeNet-style CNN (conv 1→32 5×5 pad 2, ReLU, maxpool 2,
/// conv 32→64 5×5 pad 2, ReLU, maxpool 2, dense 3136→128, ReLU, dense 128→10) at batch 128:
/// the whole step through Sequential/Adam, and each conv/pool kernel on its own, so the time per
/// layer can be read off. Times are the best of the repetitions (the machine is shared).
/// Usage: Nabla.Bench cnn-profile [--threads 1,2] [--reps 10] [--gemm] [--winograd]
/// (--gemm: GEMM orientations of conv2 instead; --winograd: direct against Winograd F(2×2, 5×5) per layer and for the
/// whole step, process CPU ms, the two sides' repetitions alternating).
/// </summary>
internal static class CnnStepBenchmark
{
    private const int Batch = 128;

    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        int reps = 10;
        bool gemms = args.Contains("--gemm"), winograd = args.Contains("--winograd");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--threads") threadCounts = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] is "--gemm" or "--winograd") i--;
            else if (args[i] == "--reps") reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else { Console.Error.WriteLine($"unknown option {args[i]}"); return 2; }
        }
        foreach (int threads in threadCounts)
        {
            WorkerPool.MaxThreads = threads;
            Console.WriteLine($"## {threads} thread(s), batch {Batch}, best of {reps}: wall ms, process CPU ms");
            if (gemms) { GemmShapes(reps); continue; }
            if (winograd) { Winograd5Comparison.Run(reps); continue; }
            Kernels(reps);
            double step = WholeStep(reps);
            Console.WriteLine($"{"",-34}→ {step * 469 / 1000:F1} s/epoch (469 steps)");
        }
        return 0;
    }

    private static double WholeStep(int reps)
    {
        var rng = new Rng(1);
        var model = new Sequential(
            new Conv2d(1, 32, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dense(3136, 128, rng), new ReLU(), new Dense(128, 10, rng));
        var adam = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var x = Tensor.Rand(new Shape(Batch, 1, 28, 28), rng);
        var y = Tensor.Zeros(Batch);
        for (int i = 0; i < Batch; i++) y[i] = i % 10;
        Row("step: forward + loss", Best(reps, () =>
        {
            using (TensorScope.Begin()) loss.Forward(model.Forward(x), y);
        }));
        Row("step: forward + loss + backward", Best(reps, () =>
        {
            using (TensorScope.Begin()) loss.Forward(model.Forward(x), y).Backward();
        }));
        Row("step: Adam step + zero grad", Best(reps, () => { adam.Step(); adam.ZeroGrad(); }));
        double whole = Best(reps, () =>
        {
            using (TensorScope.Begin())
                loss.Forward(model.Forward(x), y).Backward();
            adam.Step();
            adam.ZeroGrad();
        });
        Row("whole training step", whole);
        return whole;
    }

    private static void Kernels(int reps)
    {
        var rng = new Rng(2);
        var g1 = new ConvGeometry(1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1);
        var g2 = new ConvGeometry(32, 14, 14, 5, 5, 1, 1, 2, 2, 1, 1);
        var p1 = new ConvGeometry(32, 28, 28, 2, 2, 2, 2, 0, 0, 1, 1);
        var p2 = new ConvGeometry(64, 14, 14, 2, 2, 2, 2, 0, 0, 1, 1);
        float[] Arr(long n) { var a = new float[n]; rng.FillUniform(a, -1f, 1f); return a; }
        var x1 = Arr(Batch * 784); var w1 = Arr(32 * 25); var b1 = Arr(32); var y1 = Arr(Batch * 32 * 784);
        var x2 = Arr(Batch * 32 * 196); var w2 = Arr(64 * 800); var b2 = Arr(64); var y2 = Arr(Batch * 64 * 196);
        var dw1 = new float[32 * 25]; var dw2 = new float[64 * 800]; var dx2 = new float[x2.Length];
        var pool1 = new float[Batch * 32 * 196]; var pool2 = new float[Batch * 64 * 49];
        var arg1 = new int[pool1.Length]; var arg2 = new int[pool2.Length];
        var relu1 = new float[y1.Length];
        Row("conv1 forward (+bias)", Best(reps, () => Conv2dKernels.Forward(g1, Batch, 32, x1, 0, w1, 0, b1, 0, y1, 0)));
        Row("conv1 backward (dW only)", Best(reps, () => Conv2dKernels.Backward(g1, Batch, 32, x1, 0, w1, 0, y1, 0, null, 0, false, dw1, 0, false)));
        Row("relu1 forward [128,32,28,28]", Best(reps, () => Activations.Relu(y1, relu1)));
        Row("relu1 backward", Best(reps, () => ActivationGrads.ReluGrad(y1, relu1, relu1)));
        Row("pool1 forward", Best(reps, () => PoolingKernels.MaxPool(p1, Batch * 32, y1, pool1, arg1)));
        Row("pool1 backward (clear + scatter)", Best(reps, () => { relu1.AsSpan().Clear(); PoolingKernels.MaxPoolGrad(p1, Batch * 32, pool1, arg1, relu1); }));
        var cols = new float[800 * 196];
        Row("conv2 im2col x128", Best(reps, () => { for (int n = 0; n < Batch; n++) Im2Col.Pack(g2, x2.AsSpan(n * 6272, 6272), cols, 196); }));
        Row("conv2 col2im x128", Best(reps, () => { for (int n = 0; n < Batch; n++) Im2Col.Unpack(g2, cols, 196, dx2.AsSpan(n * 6272, 6272)); }));
        Row("conv2 forward (+bias)", Best(reps, () => Conv2dKernels.Forward(g2, Batch, 64, x2, 0, w2, 0, b2, 0, y2, 0)));
        Row("conv2 backward (dX and dW)", Best(reps, () => Conv2dKernels.Backward(g2, Batch, 64, x2, 0, w2, 0, y2, 0, dx2, 0, false, dw2, 0, false)));
        Row("conv2 backward (dW only)", Best(reps, () => Conv2dKernels.Backward(g2, Batch, 64, x2, 0, w2, 0, y2, 0, null, 0, false, dw2, 0, false)));
        Row("conv2 direct forward (+bias)", Best(reps, () => Conv2dKernels.Forward(g2, Batch, 64, x2, 0, w2, 0, b2, 0, y2, 0, ConvAlgorithm.Direct)));
        Row("conv2 direct backward (dX, dW)", Best(reps, () => Conv2dKernels.Backward(g2, Batch, 64, x2, 0, w2, 0, y2, 0, dx2, 0, false, dw2, 0, false, ConvAlgorithm.Direct)));
        Row("pool2 forward", Best(reps, () => PoolingKernels.MaxPool(p2, Batch * 64, y2, pool2, arg2)));
        Row("pool2 backward (clear + scatter)", Best(reps, () => { y2.AsSpan().Clear(); PoolingKernels.MaxPoolGrad(p2, Batch * 64, pool2, arg2, y2); }));
        var h = Arr(Batch * 3136); var fw = Arr(128 * 3136); var o = new float[Batch * 128]; var dfw = new float[fw.Length];
        Row("fc1 forward GEMM 128x3136·(128x3136)ᵀ", Best(reps, () => Gemm.Sgemm(false, true, Batch, 128, 3136, 1f, h, 3136, fw, 3136, 0f, o, 128)));
        Row("fc1 dW GEMM", Best(reps, () => Gemm.Sgemm(true, false, 128, 3136, Batch, 1f, o, 128, h, 3136, 0f, dfw, 3136)));
        Row("fc1 dX GEMM", Best(reps, () => Gemm.Sgemm(false, false, Batch, 3136, 128, 1f, o, 128, fw, 3136, 0f, h, 3136)));
    }

    // The GEMM shapes conv2 can be cast into, to pick the orientation and chunk size (GFLOP/s).
    private static void GemmShapes(int reps)
    {
        var rng = new Rng(3);
        float[] Arr(long n) { var a = new float[n]; rng.FillUniform(a, -1f, 1f); return a; }
        var a = Arr(800 * 196 * 32); var b = Arr(800 * 196 * 32); var c = Arr(800 * 196 * 32);
        void G(string name, bool ta, bool tb, int m, int n, int k, int lda, int ldb)
        {
            double ms = Best(reps, () => Gemm.Sgemm(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n));
            Console.WriteLine($"{name,-34}{2.0 * m * n * k / ms / 1e6,9:F1} GFLOP/s  ({m}x{n}x{k})");
        }
        G("conv1 fwd W·cols", false, false, 32, 784, 25, 25, 784);
        G("conv1 fwd colsᵀ·Wᵀ", true, true, 784, 32, 25, 784, 25);
        G("conv1 dWᵀ = cols·dYᵀ, chunk 8", false, true, 25, 32, 6272, 6272, 6272);
        G("conv1 dW = dY·colsᵀ, chunk 8", false, true, 32, 25, 6272, 6272, 6272);
        G("conv1 dW = dY·colsᵀ, chunk 32", false, true, 32, 25, 25088, 25088, 25088);
        foreach (int chunk in new[] { 1, 2, 4, 8, 16 })
        {
            int cw = chunk * 196;
            G($"fwd W·cols, chunk {chunk}", false, false, 64, cw, 800, 800, cw);
            G($"fwd colsᵀ·Wᵀ, chunk {chunk}", true, true, cw, 64, 800, cw, 800);
            G($"dWᵀ = cols·dYᵀ, chunk {chunk}", false, true, 800, 64, cw, cw, cw);
            G($"dW = dY·colsᵀ, chunk {chunk}", false, true, 64, 800, cw, cw, cw);
            G($"dcols = Wᵀ·dY, chunk {chunk}", true, false, 800, cw, 64, 800, cw);
        }
    }

    private static void Row(string name, double ms) => Console.WriteLine($"{name,-34}{ms,9:F2}{_lastCpu,9:F1} cpu");

    // Best wall time of the repetitions; on a shared machine the process CPU time (also best of)
    // is the steadier figure, so it is what Row prints in the second column.
    private static double _lastCpu;

    /// <summary>Process CPU ms of the last <see cref="Best"/> call (best of its repetitions).</summary>
    internal static double LastCpu => _lastCpu;

    internal static double Best(int reps, Action action)
    {
        // Warm up for at least 3 calls and 0.4 s so tiered JIT has promoted the hot loops.
        long warm = Stopwatch.GetTimestamp();
        for (int w = 0; w < 3 || Stopwatch.GetElapsedTime(warm).TotalSeconds < 0.4; w++) action();
        double best = double.MaxValue, bestCpu = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < reps; r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
        }
        _lastCpu = bestCpu;
        return best;
    }
}
