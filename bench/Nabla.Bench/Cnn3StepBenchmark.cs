using System.Globalization;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// Direct (im2col + GEMM) against Winograd F(2×2, 3×3) on the 3×3 layers of the cnn3-epoch net and on a few
/// probe shapes for the selection rule, back to back in one process at batch 128: forward (+bias), input
/// gradient, and the weight gradient (im2col either way) for scale; then the whole cnn3 training step with
/// every Conv2d on <see cref="ConvAlgorithm.Direct"/> and on <see cref="ConvAlgorithm.Auto"/>.
/// Figures are best-of process CPU ms (steadier than wall time on a shared machine).
/// Usage: Nabla.Bench cnn3-profile [--threads 1,2] [--reps 5]
/// </summary>
internal static class Cnn3StepBenchmark
{
    private const int Batch = 128;

    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        int reps = 5;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--threads") threadCounts = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] == "--reps") reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else { Console.Error.WriteLine($"unknown option {args[i]}"); return 2; }
        }
        foreach (int threads in threadCounts)
        {
            WorkerPool.MaxThreads = threads;
            Console.WriteLine($"## {threads} thread(s), batch {Batch}, best of {reps}, process CPU ms: direct, winograd, direct/winograd");
            Layer("conv2 32→32 28x28", 32, 28, 32, reps);
            Layer("conv3 32→64 14x14", 32, 14, 64, reps);
            Layer("conv4 64→64 14x14", 64, 14, 64, reps);
            Layer("probe 8→8 28x28", 8, 28, 8, reps);
            Layer("probe 16→16 28x28", 16, 28, 16, reps);
            Layer("probe 16→16 14x14", 16, 14, 16, reps);
            Layer("probe 64→64 7x7", 64, 7, 64, reps);
            Layer("probe 64→64 4x4", 64, 4, 64, reps);
            double direct = Step(ConvAlgorithm.Direct, reps), directCpu = CnnStepBenchmark.LastCpu;
            double auto = Step(ConvAlgorithm.Auto, reps), autoCpu = CnnStepBenchmark.LastCpu;
            Console.WriteLine($"{"whole cnn3 training step",-34}{directCpu,9:F1}{autoCpu,9:F1}{directCpu / autoCpu,8:F2}x  (wall {direct:F1} / {auto:F1} ms)");
        }
        return 0;
    }

    private static void Layer(string name, int c, int size, int o, int reps)
    {
        var rng = new Rng(4);
        var g = new ConvGeometry(c, size, size, 3, 3, 1, 1, 1, 1);
        float[] Arr(long n) { var a = new float[n]; rng.FillUniform(a, -1f, 1f); return a; }
        var x = Arr(Batch * g.ImageSize); var w = Arr(o * g.PatchSize); var b = Arr(o); var y = Arr(Batch * o * g.OutPixels);
        var dx = new float[x.Length]; var dw = new float[w.Length];
        void Pair(string what, Action direct, Action winograd)
        {
            CnnStepBenchmark.Best(reps, direct);
            double d = CnnStepBenchmark.LastCpu;
            CnnStepBenchmark.Best(reps, winograd);
            double v = CnnStepBenchmark.LastCpu;
            Console.WriteLine($"{name + " " + what,-34}{d,9:F1}{v,9:F1}{d / v,8:F2}x");
        }
        Pair("fwd", () => Conv2dKernels.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0, ConvAlgorithm.Direct),
            () => WinogradConv.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0));
        Pair("dX", () => Conv2dKernels.Backward(g, Batch, o, x, 0, w, 0, y, 0, dx, 0, false, null, 0, false, ConvAlgorithm.Direct),
            () => WinogradConv.BackwardInput(g, Batch, o, w, 0, y, 0, dx, 0, false));
        CnnStepBenchmark.Best(reps, () => Conv2dKernels.Backward(g, Batch, o, x, 0, w, 0, y, 0, null, 0, false, dw, 0, false));
        Console.WriteLine($"{name + " dW (im2col)",-34}{CnnStepBenchmark.LastCpu,9:F1}");
    }

    private static double Step(ConvAlgorithm algorithm, int reps)
    {
        var rng = new Rng(1);
        var model = CnnTrainingBenchmark.Cnn3(rng);
        foreach (var conv in model.OfType<Conv2d>()) conv.Algorithm = algorithm;
        var adam = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var x = Tensor.Rand(new Shape(Batch, 1, 28, 28), rng);
        var y = Tensor.Zeros(Batch);
        for (int i = 0; i < Batch; i++) y[i] = i % 10;
        return CnnStepBenchmark.Best(reps, () =>
        {
            using (TensorScope.Begin())
                loss.Forward(model.Forward(x), y).Backward();
            adam.Step();
            adam.ZeroGrad();
        });
    }
}
