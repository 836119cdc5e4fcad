using System.Globalization;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// <c>cnn-profile --winograd</c>: direct (im2col + GEMM) against Winograd F(2×2, 5×5) on LeNet's two 5×5 layers and on
/// probe shapes for the selection rule, at batch 128: forward (+bias), input gradient and weight gradient; then the whole
/// cnn-epoch training step with every Conv2d on <see cref="ConvAlgorithm.Direct"/> and on <see cref="ConvAlgorithm.Auto"/>.
/// Figures are best-of process CPU ms, the two sides' repetitions alternating (steadier than wall time on a loaded machine).
/// </summary>
internal static class Winograd5Comparison
{
    private const int Batch = 128;

    public static void Run(int reps)
    {
        Console.WriteLine($"{"process CPU ms, best of " + reps.ToString(CultureInfo.InvariantCulture),-34}{"direct",9}{"winograd",9}{"ratio",9}");
        Layer("conv1 1→32 28x28", 1, 28, 32, reps);
        Layer("conv2 32→64 14x14", 32, 14, 64, reps);
        Layer("probe 16→16 14x14", 16, 14, 16, reps);
        Layer("probe 8→16 14x14", 8, 14, 16, reps);
        Layer("probe 32→32 28x28", 32, 28, 32, reps);
        Layer("probe 64→64 7x7", 64, 7, 64, reps);
        Layer("probe 64→64 4x4", 64, 4, 64, reps);
        Compare("whole cnn-epoch training step", Step(ConvAlgorithm.Direct), Step(ConvAlgorithm.Auto), reps);
    }

    private static void Layer(string name, int c, int size, int o, int reps)
    {
        var rng = new Rng(4);
        var g = new ConvGeometry(c, size, size, 5, 5, 1, 1, 2, 2);
        float[] Arr(long n) { var a = new float[n]; rng.FillUniform(a, -1f, 1f); return a; }
        var x = Arr(Batch * g.ImageSize); var w = Arr(o * g.PatchSize); var b = Arr(o); var y = Arr(Batch * o * g.OutPixels);
        var dx = new float[x.Length]; var dw = new float[w.Length];
        Compare(name + " fwd", () => Conv2dKernels.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0, ConvAlgorithm.Direct),
            () => Winograd5Conv.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0), reps);
        Compare(name + " dX", () => Conv2dKernels.Backward(g, Batch, o, x, 0, w, 0, y, 0, dx, 0, false, null, 0, false, ConvAlgorithm.Direct),
            () => Winograd5Conv.BackwardInput(g, Batch, o, w, 0, y, 0, dx, 0, false), reps);
        Compare(name + " dW", () => Conv2dKernels.Backward(g, Batch, o, x, 0, w, 0, y, 0, null, 0, false, dw, 0, false, ConvAlgorithm.Direct),
            () => Winograd5Conv.BackwardWeight(g, Batch, o, x, 0, y, 0, dw, 0, false), reps);
    }

    private static void Compare(string name, Action direct, Action winograd, int reps)
    {
        // Warm-up (tiered JIT), then alternating repetitions, so a burst of load from other processes hits both sides alike.
        CnnStepBenchmark.Best(1, direct);
        CnnStepBenchmark.Best(1, winograd);
        double d = double.MaxValue, v = double.MaxValue;
        for (int r = 0; r < reps; r++)
        {
            d = Math.Min(d, Cpu(direct));
            v = Math.Min(v, Cpu(winograd));
        }
        Console.WriteLine($"{name,-34}{d,9:F1}{v,9:F1}{d / v,8:F2}x");
    }

    private static double Cpu(Action action)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMilliseconds;
    }

    private static Action Step(ConvAlgorithm algorithm)
    {
        var rng = new Rng(1);
        var model = CnnTrainingBenchmark.Cnn(rng);
        foreach (var conv in model.OfType<Conv2d>()) conv.Algorithm = algorithm;
        var adam = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var x = Tensor.Rand(new Shape(Batch, 1, 28, 28), rng);
        var y = Tensor.Zeros(Batch);
        for (int i = 0; i < Batch; i++) y[i] = i % 10;
        return () =>
        {
            using (TensorScope.Begin())
                loss.Forward(model.Forward(x), y).Backward();
            adam.Step();
            adam.ZeroGrad();
        };
    }
}
