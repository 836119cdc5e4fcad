using System.Diagnostics;
using System.Globalization;
using Nabla.Kernels;

namespace Nabla.Bench;

/// <summary>SGEMM GFLOP/s for square sizes and the shapes of a 784-256-128-10 MLP at batch 128.</summary>
internal static class GemmBenchmark
{
    private sealed record Shape(string Name, bool TransA, bool TransB, int M, int N, int K);

    private static readonly Shape[] Shapes =
    [
        new("square 64", false, false, 64, 64, 64),
        new("square 96", false, false, 96, 96, 96),
        new("square 128", false, false, 128, 128, 128),
        new("square 256", false, false, 256, 256, 256),
        new("square 512", false, false, 512, 512, 512),
        new("square 1024", false, false, 1024, 1024, 1024),
        new("square 2048", false, false, 2048, 2048, 2048),
        // Dense layers keep weights [out, in]: forward Y = X·Wᵀ, backward dX = dY·W, dW = dYᵀ·X.
        new("mlp fwd 128x784 * (256x784)T", false, true, 128, 256, 784),
        new("mlp dX 128x256 * 256x784", false, false, 128, 784, 256),
        new("mlp dW (128x256)T * 128x784", true, false, 256, 784, 128),
        new("mlp fwd 128x256 * (128x256)T", false, true, 128, 128, 256),
        new("mlp dX 128x128 * 128x256", false, false, 128, 256, 128),
        new("mlp dW (128x128)T * 128x256", true, false, 128, 256, 128),
        new("mlp fwd 128x128 * (10x128)T", false, true, 128, 10, 128),
    ];

    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        string? path = null;
        string? filter = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--threads" && i + 1 < args.Length)
                threadCounts = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] == "--path" && i + 1 < args.Length)
                path = args[++i];
            else if (args[i] == "--filter" && i + 1 < args.Length)
                filter = args[++i];
            else
            {
                Console.Error.WriteLine($"sgemm: unknown option '{args[i]}'; options: --threads 1,2 --path Scalar|Vector256|Vector512 --filter <shape name part>[,<part>…]");
                return 2;
            }
        }
        KernelPath gemmPath = path is null ? KernelPaths.Best : Enum.Parse<KernelPath>(path, ignoreCase: true);

        Console.WriteLine($"SGEMM, path {gemmPath}, GFLOP/s = 2·m·n·k / median time; {Environment.ProcessorCount} processors");
        Console.Write($"{"shape",-32} {"m",5} {"n",5} {"k",5}");
        foreach (int t in threadCounts) Console.Write($" {t + " thr",9}");
        Console.WriteLine();

        int saved = WorkerPool.MaxThreads;
        var results = new List<(string Shape, int Threads, double Gflops)>();
        try
        {
            foreach (var s in Shapes)
            {
                if (filter is not null && !filter.Split(',').Any(f => s.Name.Contains(f, StringComparison.OrdinalIgnoreCase))) continue;
                Console.Write($"{s.Name,-32} {s.M,5} {s.N,5} {s.K,5}");
                foreach (int t in threadCounts)
                {
                    WorkerPool.MaxThreads = t;
                    double gflops = Measure(s, gemmPath);
                    Console.Write($" {gflops,9:F1}");
                    results.Add((s.Name, t, gflops));
                }
                Console.WriteLine();
            }
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
        // Machine-readable lines for bench/run.sh, named as the twin bench/peers/sgemm.py names them.
        foreach (var (shape, t, gflops) in results)
            BenchOptions.Result($"{ResultName(shape)}{(threadCounts.Length > 1 ? $".t{t}" : "")}", gflops, "GFLOP/s", "higher");
        return 0;
    }

    /// <summary>"mlp dX 128x256 * 256x784" → "mlp_dX_128x256_256x784".</summary>
    internal static string ResultName(string shape) =>
        string.Join('_', shape.Replace("*", " ").Replace("(", "").Replace(")", "").Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static double Measure(Shape s, KernelPath path)
    {
        int rowsA = s.TransA ? s.K : s.M, colsA = s.TransA ? s.M : s.K;
        int rowsB = s.TransB ? s.N : s.K, colsB = s.TransB ? s.K : s.N;
        var rng = new Random(42);
        var a = new float[rowsA * colsA];
        var b = new float[rowsB * colsB];
        var c = new float[s.M * s.N];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble() - 0.5f;

        double flops = 2.0 * s.M * s.N * s.K;
        // Enough calls per repetition that one repetition takes ~50 ms and timer noise vanishes.
        int calls = (int)Math.Clamp(5e9 / flops, 1, 100_000);
        void Call() => Gemm.Sgemm(path, s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, colsA, b, colsB, 0f, c, s.N,
            WorkerPool.MaxThreads);

        for (int i = 0; i < Math.Max(3, calls); i++) Call();
        const int repetitions = 7;
        var seconds = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) Call();
            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
        }
        Array.Sort(seconds);
        return flops / seconds[repetitions / 2] / 1e9;
    }
}
