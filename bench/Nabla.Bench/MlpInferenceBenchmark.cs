using System.Diagnostics;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// Inference of the 784-256-128-10 MLP in eval mode without gradients, each call in its own
/// TensorScope as a serving loop would run it; twins: bench/peers/infer-latency.py, infer-throughput.py.
/// </summary>
internal static class MlpInferenceBenchmark
{
    /// <summary>infer-latency: median µs of one forward pass on one test image [1, 784].</summary>
    public static int Latency(string[] args)
    {
        var o = BenchOptions.Parse("infer-latency", args);
        if (o is null) return 2;
        var model = BenchOptions.Mlp(new Rng((ulong)o.Seed));
        model.Eval();
        var x = FirstImages(o, 1);
        var output = new float[10];
        int calls = o.Calls > 0 ? o.Calls : 20000;
        var micros = new double[calls];
        using (GradMode.NoGrad())
        {
            for (int i = 0; i < 5000; i++) Call();
            for (int i = 0; i < calls; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Call();
                micros[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }
        double median = BenchOptions.Median(micros);
        Console.WriteLine($"nabla infer-latency threads={o.Threads}: median {median:F2} µs over {calls} calls");
        BenchOptions.Result("latency", median, "us", "lower");
        return 0;

        void Call()
        {
            using (TensorScope.Begin()) model.Forward(x).CopyTo(output);
        }
    }

    /// <summary>infer-throughput: samples/s of forward passes on a batch of 1024 test images.</summary>
    public static int Throughput(string[] args)
    {
        var o = BenchOptions.Parse("infer-throughput", args);
        if (o is null) return 2;
        var model = BenchOptions.Mlp(new Rng((ulong)o.Seed));
        model.Eval();
        const int batch = 1024;
        var x = FirstImages(o, batch);
        var output = new float[batch * 10];
        int calls = o.Calls > 0 ? o.Calls : 200;
        var rates = new double[7];
        using (GradMode.NoGrad())
        {
            for (int i = 0; i < 20; i++) Call();
            for (int r = 0; r < rates.Length; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls / rates.Length; i++) Call();
                rates[r] = calls / rates.Length * batch / Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
        }
        double median = BenchOptions.Median(rates);
        Console.WriteLine($"nabla infer-throughput batch={batch} threads={o.Threads}: {median:F0} samples/s");
        BenchOptions.Result("samples_per_s", median, "samples/s", "higher");
        return 0;

        void Call()
        {
            using (TensorScope.Begin()) model.Forward(x).CopyTo(output);
        }
    }

    private static Tensor FirstImages(BenchOptions o, int count)
    {
        var test = o.LoadTest();
        int[] rows = Enumerable.Range(0, count).ToArray();
        Tensor x;
        using (TensorScope.Suspend()) x = test.Gather(rows).Inputs;
        return x;
    }
}
