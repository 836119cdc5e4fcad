using System.Diagnostics;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Bench;

/// <summary>
/// mlp-split-ab (Nabla only): the mlp-epoch step with the short passes split across threads (ReLU and its
/// mask, log-softmax, the output layer's backward side by side: <see cref="RangeSplit"/>) and without, in
/// blocks of 20 steps alternating A and B in one process, so both see the same load. Prints the median and
/// 10th percentile µs per step of each and the ratio. The two give the same bits, so the model trains on.
/// Usage: Nabla.Bench mlp-split-ab --threads 2 [--calls 4000]
/// </summary>
internal static class MlpSplitAbBenchmark
{
    public static int Run(string[] args)
    {
        var o = BenchOptions.Parse("mlp-split-ab", args);
        if (o is null) return 2;
        var train = o.LoadTrain();
        var (model, loader, optimizer) = o.MlpRecipe(train);
        var loss = new CrossEntropyLoss();
        loader.StartEpoch();
        for (int i = 0; i < 100; i++)
        {
            RangeSplit.Enabled = i % 2 == 0;
            TrainingStep.Run(model, loss, optimizer, loader, i, null, out _);
        }
        int steps = o.Calls > 0 ? o.Calls : 4000;
        var on = new List<double>(steps);
        var off = new List<double>(steps);
        double tick = 1e6 / Stopwatch.Frequency;
        for (int s = 0; s < steps; s++)
        {
            // Blocks of 20, the order of A and B swapped every other block.
            int block = s / 20;
            bool split = (block % 2 == 0) == (block / 2 % 2 == 0);
            RangeSplit.Enabled = split;
            long t0 = Stopwatch.GetTimestamp();
            TrainingStep.Run(model, loss, optimizer, loader, s % (loader.BatchCount - 1), null, out _);
            (split ? on : off).Add((Stopwatch.GetTimestamp() - t0) * tick);
        }
        RangeSplit.Enabled = true;
        on.Sort();
        off.Sort();
        double Median(List<double> l) => l[l.Count / 2];
        double Low(List<double> l) => l[l.Count / 10];
        Console.WriteLine($"nabla mlp-split-ab threads={o.Threads}: µs per step over {steps} steps (median, 10th percentile)");
        Console.WriteLine($"  split     {Median(on),8:F1}{Low(on),8:F1}");
        Console.WriteLine($"  serial    {Median(off),8:F1}{Low(off),8:F1}");
        Console.WriteLine($"  serial/split {Median(off) / Median(on):F3} (median), {Low(off) / Low(on):F3} (10th percentile)");
        BenchOptions.Result("split_us", Median(on), "us", "lower");
        BenchOptions.Result("serial_us", Median(off), "us", "lower");
        return 0;
    }
}
