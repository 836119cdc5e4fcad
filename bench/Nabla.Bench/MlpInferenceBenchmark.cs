using System.Diagnostics;
using Nabla.Autograd;
using Nabla.Nn;
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
        // Test image 0 (the headline figure, as the twin), and the first 1,000 test images in turn:
        // one-sample inference skips the weights of zero pixels, so its cost depends on the image.
        const int many = 1000;
        var images = FirstImages(o, many);
        var x = images.Narrow(0, 0, 1).Contiguous();
        var rows = new Tensor[many];
        for (int i = 0; i < many; i++) rows[i] = images.Narrow(0, i, 1).Contiguous();
        var output = new float[10];
        int calls = o.Calls > 0 ? o.Calls : 20000;
        var micros = new double[calls];
        var microsMany = new double[calls];
        using (GradMode.NoGrad())
        {
            // 50,000 calls: tiered JIT finishes promoting the inference path after ~40,000 (≈ 0.3 s);
            // the twin warms up as long, so both sides are measured in their steady state.
            for (int i = 0; i < 50_000; i++) Call(x);
            for (int i = 0; i < calls; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Call(x);
                micros[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
            for (int i = 0; i < calls; i++)
            {
                var row = rows[i % many];
                long t0 = Stopwatch.GetTimestamp();
                Call(row);
                microsMany[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }
        double median = BenchOptions.Median(micros), medianMany = BenchOptions.Median(microsMany);
        Console.WriteLine($"nabla infer-latency threads={o.Threads}: median {median:F2} µs over {calls} calls; " +
            $"{medianMany:F2} µs cycling through the first {many} test images");
        BenchOptions.Result("latency", median, "us", "lower");
        BenchOptions.Result("latency_1000_images", medianMany, "us", "lower");
        return 0;

        void Call(Tensor input)
        {
            using (TensorScope.Begin()) model.Forward(input).CopyTo(output);
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
