using System.Diagnostics;
using Nabla.Data;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Bench;

/// <summary>
/// One epoch of Fashion-MNIST (60,000 images, batch 128, shuffled) on the 784-256-128-10 ReLU MLP
/// with Adam(1e-3) and cross-entropy, through the public <c>model.Fit</c>; twin: bench/peers/mlp-epoch.py.
/// </summary>
internal static class MlpTrainingBenchmark
{
    /// <summary>mlp-epoch: seconds per epoch, samples/s, test accuracy after the epoch.</summary>
    public static int Epoch(string[] args)
    {
        var o = BenchOptions.Parse("mlp-epoch", args);
        if (o is null) return 2;
        var train = o.LoadTrain();
        var test = o.LoadTest();

        // Warm-up on a throwaway model so the JIT has tiered up the step, as PyTorch's kernels are
        // compiled ahead of time; the twin runs the same warm-up.
        var warmRng = new Rng((ulong)o.Seed + 1);
        var warm = BenchOptions.Mlp(warmRng);
        var warmLoader = new DataLoader(train.Subset(Enumerable.Range(0, 128 * 40).ToArray()), 128, shuffle: true, rng: warmRng);
        warm.Fit(warmLoader, new Adam(warm.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 1);

        var (model, loader, optimizer) = o.MlpRecipe(train);
        long start = Stopwatch.GetTimestamp();
        var history = model.Fit(loader, optimizer, new CrossEntropyLoss(), epochs: 1);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var eval = model.Evaluate(new DataLoader(test, 1000), new CrossEntropyLoss(), [new Accuracy()]);
        Console.WriteLine($"nabla mlp-epoch threads={o.Threads}: {seconds:F3} s, {train.Count / seconds:F0} samples/s, " +
                          $"train loss {history.Epochs[0]["loss"]:F4}, test accuracy {eval.Metrics["accuracy"]:F4}");
        BenchOptions.Result("seconds", seconds, "s", "lower");
        BenchOptions.Result("samples_per_s", train.Count / seconds, "samples/s", "higher");
        BenchOptions.Result("test_accuracy", eval.Metrics["accuracy"], "fraction", "parity");
        return 0;
    }

    /// <summary>peak-rss: VmHWM after loading the data and training one epoch, no warm-up.</summary>
    public static int PeakRss(string[] args)
    {
        var o = BenchOptions.Parse("peak-rss", args);
        if (o is null) return 2;
        var train = o.LoadTrain();
        var rng = new Rng((ulong)o.Seed);
        var model = BenchOptions.Mlp(rng);
        model.Fit(new DataLoader(train, 128, shuffle: true, rng: rng), new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 1);
        double mib = BenchOptions.PeakRssMiB();
        Console.WriteLine($"nabla peak-rss threads={o.Threads}: {mib:F1} MiB (GC heap now {GC.GetTotalMemory(false) / 1048576.0:F1} MiB)");
        BenchOptions.Result("peak_rss", mib, "MiB", "lower");
        return 0;
    }

    /// <summary>alloc-per-step: managed bytes allocated per steady-state TrainingStep.Run (Nabla only).</summary>
    public static int AllocPerStep(string[] args)
    {
        var o = BenchOptions.Parse("alloc-per-step", args);
        if (o is null) return 2;
        var train = o.LoadTrain();
        var (model, loader, optimizer) = o.MlpRecipe(train);
        var loss = new CrossEntropyLoss();
        loader.StartEpoch();
        for (int i = 0; i < 100; i++) TrainingStep.Run(model, loss, optimizer, loader, i, null, out _);
        int steps = o.Calls > 0 ? o.Calls : 200;
        long thread0 = GC.GetAllocatedBytesForCurrentThread();
        long total0 = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < steps; i++) TrainingStep.Run(model, loss, optimizer, loader, 100 + i % 300, null, out _);
        double perThread = (GC.GetAllocatedBytesForCurrentThread() - thread0) / (double)steps;
        double perAll = (GC.GetTotalAllocatedBytes(precise: true) - total0) / (double)steps;
        Console.WriteLine($"nabla alloc-per-step threads={o.Threads}: {perThread:F1} B/step on the calling thread, {perAll:F1} B/step all threads ({steps} steps)");
        BenchOptions.Result("bytes_per_step_thread", perThread, "B", "lower");
        BenchOptions.Result("bytes_per_step_all", perAll, "B", "lower");
        return 0;
    }
}
