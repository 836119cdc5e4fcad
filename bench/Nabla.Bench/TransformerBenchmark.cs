using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// encoder-step: one training step of a transformer encoder layer — batch 32, length 128, d 256,
/// 4 heads, feed-forward 1024, dropout 0.1, post-norm ReLU (nn.TransformerEncoderLayer's defaults),
/// MSE to a fixed target, forward + backward + Adam; twin: bench/peers/encoder-step.py.
/// generate: 100 tokens from a 4-layer decoder-only language model (d 256, 4 heads), greedy, batch 1,
/// with the key/value cache and by rerunning the prefix at every step (no twin: the ratio is Nabla's own).
/// Usage: Nabla.Bench encoder-step|generate [--threads N] [--steps N]
/// </summary>
internal static class TransformerBenchmark
{
    private const int Batch = 32, Length = 128, DModel = 256, Heads = 4, FeedForward = 1024;

    public static int EncoderStep(string[] args)
    {
        if (!Parse("encoder-step", args, out int threads, out int steps)) return 2;
        var rng = new Rng(2024);
        var layer = new TransformerEncoderLayer(DModel, Heads, rng, FeedForward, dropout: 0.1f);
        var adam = new Adam(layer.Parameters(), 1e-3f);
        var loss = new MSELoss();
        var x = Tensor.Randn(new Shape(Batch, Length, DModel), rng);
        var target = Tensor.Randn(new Shape(Batch, Length, DModel), rng);
        float last = 0;
        void Step()
        {
            using (TensorScope.Begin("encoder step"))
            {
                var l = loss.Forward(layer.Forward(x), target);
                l.Backward();
                last = l.Item();
            }
            adam.Step();
            adam.ZeroGrad();
        }
        // Warm-up (JIT tiering, pools), as the twin does.
        for (int i = 0; i < 3; i++) Step();
        var times = new double[steps];
        var cpu = new double[steps];
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < steps; i++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            Step();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - c0).TotalMilliseconds;
        }
        double median = BenchOptions.Median(times), medianCpu = BenchOptions.Median(cpu);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nabla encoder-step threads={threads}: median {median:F1} ms/step (min {times.Min():F1}, {steps} steps), CPU {medianCpu:F1} ms/step, loss {last:F4}"));
        BenchOptions.Result("step_ms", median, "ms", "lower");
        // Process CPU time is the steadier figure on a busy machine (with 2 threads it includes the
        // workers' spinning between jobs, so it overstates Nabla's cost there).
        BenchOptions.Result("step_cpu_ms", medianCpu, "ms", "lower");
        BenchOptions.Result("tokens_per_s", Batch * Length / (median / 1000), "tokens/s", "higher");
        return 0;
    }

    public static int Generate(string[] args)
    {
        if (!Parse("generate", args, out int threads, out int repeats)) return 2;
        const int tokens = 100, vocabulary = 96;
        var rng = new Rng(7);
        var lm = new TransformerLanguageModel(vocabulary, DModel, Heads, 4, rng, (n, d) => new Embedding(n, d, rng),
            dimFeedforward: FeedForward, maxLength: 128);
        lm.Eval();
        var process = Process.GetCurrentProcess();
        (double Wall, double Cpu) Run(bool cache, out int[] generated)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            generated = Decoding.Greedy(lm.StartDecoding(1, tokens, cache), 1, -1, tokens)[0];
            double wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            process.Refresh();
            return (wall, (process.TotalProcessorTime - c0).TotalMilliseconds);
        }
        Run(true, out _);
        Run(false, out _);
        int pairs = Math.Max(1, repeats / 2);
        var withCache = new (double Wall, double Cpu)[pairs];
        var without = new (double Wall, double Cpu)[pairs];
        int[] a = [], b = [];
        for (int i = 0; i < pairs; i++)
        {
            withCache[i] = Run(true, out a);
            without[i] = Run(false, out b);
        }
        if (!a.SequenceEqual(b)) throw new InvalidOperationException("generate: cached and uncached decoding produced different tokens");
        double c = BenchOptions.Median(withCache.Select(x => x.Wall).ToArray()), u = BenchOptions.Median(without.Select(x => x.Wall).ToArray());
        double cc = BenchOptions.Median(withCache.Select(x => x.Cpu).ToArray()), uc = BenchOptions.Median(without.Select(x => x.Cpu).ToArray());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nabla generate threads={threads}: {tokens} tokens with the cache {c:F0} ms ({cc:F0} CPU), rerunning the prefix {u:F0} ms ({uc:F0} CPU): {u / c:F1}x wall, {uc / cc:F1}x CPU"));
        BenchOptions.Result("cached_ms", c, "ms", "lower");
        BenchOptions.Result("uncached_ms", u, "ms", "lower");
        BenchOptions.Result("cache_speedup", u / c, "x", "higher");
        BenchOptions.Result("cache_speedup_cpu", uc / cc, "x", "higher");
        return 0;
    }

    private static bool Parse(string workload, string[] args, out int threads, out int steps)
    {
        threads = 1;
        steps = 10;
        for (int i = 0; i < args.Length; i++)
        {
            string? next = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--threads" when next is not null: threads = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--steps" when next is not null: steps = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                default:
                    Console.Error.WriteLine($"{workload}: unknown option '{args[i]}'; options: --threads N --steps N");
                    return false;
            }
        }
        WorkerPool.MaxThreads = threads;
        return true;
    }
}
