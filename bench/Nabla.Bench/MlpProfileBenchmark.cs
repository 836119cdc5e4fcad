using System.Diagnostics;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// mlp-profile (Nabla only): where one MLP training step spends its time — batch gather, forward
/// per layer, loss, backward, optimizer — timed phase by phase over many steady-state steps.
/// </summary>
internal static class MlpProfileBenchmark
{
    public static int Run(string[] args)
    {
        var o = BenchOptions.Parse("mlp-profile", args);
        if (o is null) return 2;
        var train = o.LoadTrain();
        var (model, loader, optimizer) = o.MlpRecipe(train);
        var loss = new CrossEntropyLoss();
        string[] phases = ["gather", "dense1", "relu1", "dense2", "relu2", "dense3", "loss", "backward", "item", "scope end", "adam", "zero grad"];
        var ticks = new long[phases.Length];
        var bytes = new long[phases.Length];
        int steps = o.Calls > 0 ? o.Calls : 400;
        loader.StartEpoch();
        for (int s = -50; s < steps; s++)
        {
            if (s == 0)
            {
                Array.Clear(ticks);
                Array.Clear(bytes);
            }
            long t = Stopwatch.GetTimestamp();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            void Lap(int phase)
            {
                long now = Stopwatch.GetTimestamp();
                ticks[phase] += now - t;
                t = now;
                long a = GC.GetAllocatedBytesForCurrentThread();
                bytes[phase] += a - allocated;
                allocated = a;
            }
            var scope = TensorScope.Begin();
            var (x, y) = loader.GetBatch((s + 50) % loader.BatchCount);
            Lap(0);
            var h = x;
            for (int layer = 0; layer < model.Count; layer++)
            {
                h = model[layer].Forward(h);
                Lap(1 + layer);
            }
            var l = loss.Forward(h, y);
            Lap(6);
            l.Backward();
            Lap(7);
            _ = l.Item();
            Lap(8);
            scope.Dispose();
            Lap(9);
            optimizer.Step();
            Lap(10);
            optimizer.ZeroGrad();
            Lap(11);
        }
        double total = 0;
        foreach (var t in ticks) total += t;
        Console.WriteLine($"nabla mlp-profile threads={o.Threads}: {total / Stopwatch.Frequency / steps * 1e6:F0} µs/step over {steps} steps");
        for (int i = 0; i < phases.Length; i++)
        {
            double us = ticks[i] / (double)Stopwatch.Frequency / steps * 1e6;
            Console.WriteLine($"  {phases[i],-10} {us,8:F1} µs  {100 * ticks[i] / total,5:F1} %  {bytes[i] / (double)steps,6:F1} B");
            BenchOptions.Result(phases[i].Replace(' ', '_'), us, "us", "lower");
        }
        // The optimizer alone, on the last step's gradients (isolates it from cache effects of the step).
        long a0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 200; i++) optimizer.Step();
        double adamUs = Stopwatch.GetElapsedTime(a0).TotalMicroseconds / 200;
        Console.WriteLine($"  adam alone {adamUs,8:F1} µs");
        BenchOptions.Result("adam_alone", adamUs, "us", "lower");
        long g0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 200; i++)
            using (TensorScope.Begin()) loader.GetBatch(i);
        double gatherUs = Stopwatch.GetElapsedTime(g0).TotalMicroseconds / 200;
        Console.WriteLine($"  gather alone {gatherUs,6:F1} µs");
        BenchOptions.Result("gather_alone", gatherUs, "us", "lower");
        return 0;
    }
}
