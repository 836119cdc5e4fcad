using System.Diagnostics;
using System.Runtime.InteropServices;
using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// One training step of a recurrent classifier: batch 64 of 50 timesteps × 64 features through a
/// 1-layer LSTM (or GRU) with hidden size 128, its last hidden state through a dense layer to 10
/// classes, cross-entropy, backward through time, Adam(1e-3). Twins: bench/peers/lstm-step.py and
/// gru-step.py (torch.nn.LSTM / nn.GRU, batch_first). Reports the median step time of the timed
/// steps (--calls, default 30) after 5 warm-up steps, and on one thread also the least CPU time of
/// the calling thread per step, which a loaded machine disturbs far less than wall time.
/// </summary>
internal static class RecurrentStepBenchmark
{
    private const int Batch = 64, Steps = 50, Features = 64, Hidden = 128, Classes = 10;

    public static int Lstm(string[] args) => Run("lstm-step", args, rng => new LSTM(Features, Hidden, rng));

    public static int Gru(string[] args) => Run("gru-step", args, rng => new GRU(Features, Hidden, rng));

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec value);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID, as Python's time.thread_time).</summary>
    private static double ThreadCpuMs() => ClockGetTime(3, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;

    private static int Run(string workload, string[] args, Func<Rng, RNNBase> make)
    {
        var o = BenchOptions.Parse(workload, args);
        if (o is null) return 2;
        var rng = new Rng((ulong)o.Seed);
        var model = new Sequential(make(rng), new Dense(Hidden, Classes, rng));
        var x = Tensor.Randn(new Shape(Batch, Steps, Features), rng);
        var y = Tensor.Zeros(Batch);
        for (int i = 0; i < Batch; i++) y[i] = rng.NextInt(Classes);
        var adam = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        float last = 0;
        void Step()
        {
            using (TensorScope.Begin("recurrent step"))
            {
                var l = loss.Forward(model.Forward(x), y);
                l.Backward();
                last = l.Item();
            }
            adam.Step();
            adam.ZeroGrad();
        }

        for (int i = 0; i < 5; i++) Step();
        int calls = o.Calls > 0 ? o.Calls : 30;
        var times = new double[calls];
        double cpu = double.MaxValue;
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            double cpu0 = ThreadCpuMs();
            Step();
            cpu = Math.Min(cpu, ThreadCpuMs() - cpu0);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        double ms = BenchOptions.Median(times);
        Console.WriteLine($"nabla {workload} threads={o.Threads}: {ms:F2} ms per step (median of {calls}), {Batch * 1000 / ms:F0} sequences/s, " +
                          $"least thread CPU {cpu:F2} ms, loss {last:F4}");
        BenchOptions.Result("step_ms", ms, "ms", "lower");
        BenchOptions.Result("sequences_per_s", Batch * 1000 / ms, "seq/s", "higher");
        if (o.Threads == 1) BenchOptions.Result("step_cpu_ms", cpu, "ms", "lower");
        return 0;
    }
}
