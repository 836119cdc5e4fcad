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
/// gradient and weight gradient; then the whole cnn3 training step with
/// every Conv2d on <see cref="ConvAlgorithm.Direct"/> and on <see cref="ConvAlgorithm.Auto"/>.
/// Figures are best-of process CPU ms (steadier than wall time on a shared machine), the two sides' repetitions
/// alternating.
/// Usage: Nabla.Bench cnn3-profile [--threads 1,2] [--reps 5]
/// </summary>
internal static class Cnn3StepBenchmark
{
    private const int Batch = 128;

    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        int reps = 5;
        bool probes = true;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--threads") threadCounts = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] == "--reps") reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--probes") probes = args[i + 1] != "off";
            else { Console.Error.WriteLine($"unknown option {args[i]}"); return 2; }
        }
        foreach (int threads in threadCounts)
        {
            WorkerPool.MaxThreads = threads;
            Console.WriteLine($"## {threads} thread(s), batch {Batch}, best of {reps}, process CPU ms: direct, winograd, direct/winograd");
            if (probes) Probes(reps);
            Action direct = Step(ConvAlgorithm.Direct), auto = Step(ConvAlgorithm.Auto);
            CnnStepBenchmark.Best(1, direct);
            CnnStepBenchmark.Best(1, auto);
            double directCpu = double.MaxValue, autoCpu = double.MaxValue, autoWall = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                directCpu = Math.Min(directCpu, Cpu(direct));
                autoCpu = Math.Min(autoCpu, Cpu(auto));
                autoWall = Math.Min(autoWall, Wall(auto));
            }
            Console.WriteLine($"{"whole cnn3 training step",-34}{directCpu,9:F1}{autoCpu,9:F1}{directCpu / autoCpu,8:F2}x  (Auto wall {autoWall:F1} ms)");
            Breakdown(reps);
        }
        return 0;
    }

    private static void Probes(int reps)
    {
        Layer("conv1 1→32 28x28", 1, 28, 32, reps);
        if (Environment.GetEnvironmentVariable("NABLA_CONV1_ONLY") is not null) return;
        Layer("conv2 32→32 28x28", 32, 28, 32, reps);
        Layer("conv3 32→64 14x14", 32, 14, 64, reps);
        Layer("conv4 64→64 14x14", 64, 14, 64, reps);
        Layer("probe 8→8 28x28", 8, 28, 8, reps);
        Layer("probe 32→32 16x16", 32, 16, 32, reps);
        Layer("probe 16→16 28x28", 16, 28, 16, reps);
        Layer("probe 16→16 14x14", 16, 14, 16, reps);
        Layer("probe 64→64 7x7", 64, 7, 64, reps);
        Layer("probe 64→64 4x4", 64, 4, 64, reps);
    }

    private static void Layer(string name, int c, int size, int o, int reps)
    {
        // NABLA_ONLY=conv4 probes only the layers whose name starts so (long repetition runs under load).
        if (Environment.GetEnvironmentVariable("NABLA_ONLY") is { } only && !name.StartsWith(only, StringComparison.Ordinal)) return;
        var rng = new Rng(4);
        var g = new ConvGeometry(c, size, size, 3, 3, 1, 1, 1, 1);
        float[] Arr(long n) { var a = new float[n]; rng.FillUniform(a, -1f, 1f); return a; }
        var x = Arr(Batch * g.ImageSize); var w = Arr(o * g.PatchSize); var b = Arr(o); var y = Arr(Batch * o * g.OutPixels);
        var dx = new float[x.Length]; var dw = new float[w.Length];
        void Pair(string what, Action direct, Action winograd)
        {
            // Alternating repetitions, so a burst of load from other processes hits both sides alike.
            CnnStepBenchmark.Best(1, direct);
            CnnStepBenchmark.Best(1, winograd);
            double d = double.MaxValue, v = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                d = Math.Min(d, Cpu(direct));
                v = Math.Min(v, Cpu(winograd));
            }
            Console.WriteLine($"{name + " " + what,-34}{d,9:F1}{v,9:F1}{d / v,8:F2}x");
        }
        Pair("fwd", () => Conv2dKernels.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0, ConvAlgorithm.Direct),
            () => WinogradConv.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0));
        Pair("dX", () => Conv2dKernels.Backward(g, Batch, o, x, 0, w, 0, y, 0, dx, 0, false, null, 0, false, ConvAlgorithm.Direct),
            () => WinogradConv.BackwardInput(g, Batch, o, w, 0, y, 0, dx, 0, false));
        Pair("dW", () => Conv2dKernels.Backward(g, Batch, o, x, 0, w, 0, y, 0, null, 0, false, dw, 0, false, ConvAlgorithm.Direct),
            () => WinogradConv.BackwardWeight(g, Batch, o, x, 0, y, 0, dw, 0, false));
        // F(2×2, 3×3) against F(4×4, 3×3), the tile-size rule inside a Winograd choice.
        Pair("fwd F2/F4", () => WinogradConv.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0),
            () => WinogradF4Conv.Forward(g, Batch, o, x, 0, w, 0, b, 0, y, 0));
        Pair("dX F2/F4", () => WinogradConv.BackwardInput(g, Batch, o, w, 0, y, 0, dx, 0, false),
            () => WinogradF4Conv.BackwardInput(g, Batch, o, w, 0, y, 0, dx, 0, false));
        Pair("dW F2/F4", () => WinogradConv.BackwardWeight(g, Batch, o, x, 0, y, 0, dw, 0, false),
            () => WinogradF4WeightGradient.Run(KernelPaths.Best, g, Batch, o, x, 0, y, 0, dw, 0, false));
        // V written as the products' packed B panels against the plain layout packed by the GEMM (same bits), for the
        // tile size the Auto rule takes.
        bool f4 = WinogradF4Conv.Pays(g);
        Pair($"fwd unpacked/packed {(f4 ? "F4" : "F2")}",
            () => { if (f4) WinogradF4Conv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0, packed: false); else WinogradConv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0, packed: false); },
            () => { if (f4) WinogradF4Conv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0); else WinogradConv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0); });
        Pair($"dX unpacked/packed {(f4 ? "F4" : "F2")}",
            () => { if (f4) WinogradF4Conv.BackwardInput(KernelPaths.Best, g, Batch, o, w, 0, y, 0, dx, 0, false, packed: false); else WinogradConv.BackwardInput(KernelPaths.Best, g, Batch, o, w, 0, y, 0, dx, 0, false, packed: false); },
            () => { if (f4) WinogradF4Conv.BackwardInput(KernelPaths.Best, g, Batch, o, w, 0, y, 0, dx, 0, false); else WinogradConv.BackwardInput(KernelPaths.Best, g, Batch, o, w, 0, y, 0, dx, 0, false); });
        if (Environment.GetEnvironmentVariable("NABLA_FWD_TILES") is { } tiles)
            // Tuning the forward's chunks: tiles per chunk against the default, for the tile size the Auto rule takes.
            foreach (int target in tiles.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)))
                Pair($"fwd {target}t {(f4 ? "F4" : "F2")}",
                    () => { if (f4) WinogradF4Conv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0); else WinogradConv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0); },
                    () => { if (f4) WinogradF4Conv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0, targetTiles: target); else WinogradConv.Forward(KernelPaths.Best, g, Batch, o, x, 0, w, 0, b, 0, y, 0, targetTiles: target); });
        if (Environment.GetEnvironmentVariable("NABLA_DW_CHUNKS") is { } sizes)
            // Tuning the weight gradient's chunking: "tiles:slices,…" against the defaults.
            foreach (var pair in sizes.Split(',').Select(v => v.Split(':').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray()))
                Pair($"dW {pair[0]}t {pair[1]}s", () => WinogradConv.BackwardWeight(g, Batch, o, x, 0, y, 0, dw, 0, false),
                    () => WinogradWeightGradient.Run(KernelPaths.Best, pair[0], pair[1], g, Batch, o, x, 0, y, 0, dw, 0, false));
    }

    // Each module of the Auto step alone: forward, and forward + backward (seeded with ones) on its own input, the
    // module's CPU share of a step, and the managed bytes one forward + backward allocates (tensor objects only, once the
    // parameter gradients exist).
    private static void Breakdown(int reps)
    {
        var rng = new Rng(1);
        var model = CnnTrainingBenchmark.Cnn3(rng);
        var x = Tensor.Rand(new Shape(Batch, 1, 28, 28), rng);
        Console.WriteLine("   module (Auto)                       fwd  fwd+bwd   (CPU ms)  fwd  fwd+bwd (wall ms)  KB allocated per fwd+bwd");
        for (int i = 0; i < model.Count; i++)
        {
            var module = model[i];
            var input = x;
            // The seed is made once: Tensor.Ones is a user-owned (unpooled) tensor, and a fresh 12 MB array per call
            // put page faults of new memory into the first modules' figures (≈ 45 ms of a 50 ms fwd+bwd at 1 thread).
            // Gradients are zeroed the way a training step does (kept buffers, overwritten next time), not dropped.
            var zero = new SGD(module.Parameters(), 0);
            Tensor seed;
            using (GradMode.NoGrad()) seed = Tensor.Ones(module.Forward(input).Shape);
            Action fwd = () => { using (TensorScope.Begin()) using (GradMode.NoGrad()) module.Forward(input); };
            Action both = () =>
            {
                using (TensorScope.Begin())
                {
                    input.RequiresGrad = i > 0;
                    var y = module.Forward(input);
                    y.Backward(seed);
                    input.RequiresGrad = false;
                }
                zero.ZeroGrad();
            };
            CnnStepBenchmark.Best(1, fwd); CnnStepBenchmark.Best(1, both);
            double f = double.MaxValue, fb = double.MaxValue, fw = double.MaxValue, fbw = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                f = Math.Min(f, Cpu(fwd)); fb = Math.Min(fb, Cpu(both));
                fw = Math.Min(fw, Wall(fwd)); fbw = Math.Min(fbw, Wall(both));
            }
            long before = GC.GetTotalAllocatedBytes(true);
            both();
            double kb = (GC.GetTotalAllocatedBytes(true) - before) / 1024.0;
            Console.WriteLine($"   {i,2} {module.GetType().Name,-30}{f,9:F1}{fb,9:F1}{fw,16:F1}{fbw,9:F1}{kb,12:F1}");
            using (GradMode.NoGrad()) x = module.Forward(x);
        }
    }

    private static double Wall(Action action)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        action();
        return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
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
        var model = CnnTrainingBenchmark.Cnn3(rng);
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
