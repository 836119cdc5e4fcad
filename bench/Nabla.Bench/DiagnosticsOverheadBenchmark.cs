using System.Diagnostics;
using Nabla.Data;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Bench;

/// <summary>
/// diagnose-overhead (Nabla only): the mlp-epoch workload (Fashion-MNIST, 784-256-128-10, Adam 1e-3,
/// batch 128, one epoch through <c>model.Fit</c>) without and with the <see cref="Diagnostics"/>
/// callback, alternately <c>--calls N</c> times each (default 5) on fresh models with the same
/// seed, so a loaded machine slows both alike; reports the medians of wall-clock and of process CPU
/// seconds (steadier than wall-clock time when other processes compete for the cores) and their ratios.
/// </summary>
internal static class DiagnosticsOverheadBenchmark
{
    public static int Run(string[] args)
    {
        var o = BenchOptions.Parse("diagnose-overhead", args);
        if (o is null) return 2;
        var train = o.LoadTrain();
        int rounds = o.Calls > 0 ? o.Calls : 5;

        // Warm-up of both paths so the JIT has tiered up what each runs.
        var subset = train.Subset(Enumerable.Range(0, 128 * 40).ToArray());
        Epoch(subset, o.Seed + 1, diagnose: false);
        Epoch(subset, o.Seed + 1, diagnose: true);

        var plain = new (double Wall, double Cpu)[rounds];
        var diagnosed = new (double Wall, double Cpu)[rounds];
        for (int r = 0; r < rounds; r++)
        {
            // Alternate which goes first, so a drift in the machine's load does not favour one.
            if (r % 2 == 0)
            {
                plain[r] = Epoch(train, o.Seed, diagnose: false);
                diagnosed[r] = Epoch(train, o.Seed, diagnose: true);
            }
            else
            {
                diagnosed[r] = Epoch(train, o.Seed, diagnose: true);
                plain[r] = Epoch(train, o.Seed, diagnose: false);
            }
            Console.WriteLine($"round {r + 1}: plain {plain[r].Wall:F3} s ({plain[r].Cpu:F3} s CPU), diagnosed {diagnosed[r].Wall:F3} s ({diagnosed[r].Cpu:F3} s CPU)");
        }
        double p = BenchOptions.Median([.. plain.Select(t => t.Wall)]), d = BenchOptions.Median([.. diagnosed.Select(t => t.Wall)]);
        double pc = BenchOptions.Median([.. plain.Select(t => t.Cpu)]), dc = BenchOptions.Median([.. diagnosed.Select(t => t.Cpu)]);
        // Each round's pair ran back to back, so the median of the pairs' ratios is the least disturbed figure.
        double pairs = BenchOptions.Median([.. plain.Zip(diagnosed, (a, b) => b.Cpu / a.Cpu)]);
        Console.WriteLine($"nabla diagnose-overhead threads={o.Threads}: median plain {p:F3} s, diagnosed {d:F3} s, overhead {(d / p - 1) * 100:F1} %; " +
                          $"CPU {pc:F3} s vs {dc:F3} s, overhead {(dc / pc - 1) * 100:F1} %; median of the rounds' CPU ratios {(pairs - 1) * 100:F1} % ({rounds} rounds)");
        BenchOptions.Result("plain_seconds", p, "s", "lower");
        BenchOptions.Result("diagnosed_seconds", d, "s", "lower");
        BenchOptions.Result("overhead_ratio", d / p, "ratio", "lower");
        BenchOptions.Result("cpu_overhead_ratio", dc / pc, "ratio", "lower");
        BenchOptions.Result("paired_cpu_overhead_ratio", pairs, "ratio", "lower");
        return 0;
    }

    private static (double Wall, double Cpu) Epoch(ImageDataset data, int seed, bool diagnose)
    {
        var rng = new Rng((ulong)seed);
        var model = BenchOptions.Mlp(rng);
        var loader = new DataLoader(data, 128, shuffle: true, rng: rng);
        Callback[] callbacks = diagnose ? [new Diagnostics()] : [];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        model.Fit(loader, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 1, callbacks: callbacks);
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }
}
