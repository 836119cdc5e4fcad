using System.Diagnostics;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Bench;

/// <summary>
/// mlp-kernels (Nabla only): the mlp-epoch step taken apart into the kernel calls its ops make, in the
/// same order and on the same buffers, each timed on its own, so the backward pass (one lap in
/// mlp-profile) shows its serial stretches — loss gradient, the small products, bias sums, ReLU masks —
/// between the parallel products. Per phase it prints the median and the 10th percentile over the steps:
/// on a shared machine the low percentile is the figure of a step nobody preempted. Each replica step is followed by
/// a whole <c>TrainingStep.Run</c>, timed the same way, to show how close the replica is to the real step.
/// The ReLU, its mask and the log-softmax are the public kernels, so they split across threads as in the step;
/// the output layer's three backward parts are timed one by one, where <c>LinearOp</c> runs them side by side.
/// Usage: Nabla.Bench mlp-kernels --threads 2 [--calls 2000]
/// </summary>
internal static class MlpKernelProfile
{
    private const int N = 128, In = 784, H1 = 256, H2 = 128, C = 10;

    public static int Run(string[] args)
    {
        var o = BenchOptions.Parse("mlp-kernels", args);
        if (o is null) return 2;
        var train = o.LoadTrain();
        var (model, loader, optimizer) = o.MlpRecipe(train);
        var loss = new CrossEntropyLoss();
        loader.StartEpoch();
        // Real steps first: the JIT tiers up and every parameter gets its gradient buffer and Adam state.
        for (int i = 0; i < 60; i++) TrainingStep.Run(model, loss, optimizer, loader, i, null, out _);

        var p = model.Parameters().ToArray();   // 0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias
        float[] h1 = new float[N * H1], a1 = new float[N * H1], h2 = new float[N * H2], a2 = new float[N * H2];
        float[] logits = new float[N * C], lp = new float[N * C], dl = new float[N * C];
        float[] da2 = new float[N * H2], dh2 = new float[N * H2], da1 = new float[N * H1], dh1 = new float[N * H1];
        int[] targets = new int[N];

        string[] names = ["gather", "fwd1 bias+gemm", "relu1", "fwd2 bias+gemm", "relu2", "fwd3 bias+gemm", "loss fwd",
            "loss bwd", "dX3 gemm", "dW3 gemm", "db3", "relu2 bwd", "dX2 gemm", "dW2 gemm", "db2", "relu1 bwd", "dW1 gemm", "db1", "adam"];
        int steps = o.Calls > 0 ? o.Calls : 1000;
        var laps = new double[names.Length, steps];
        var real = new double[5, steps];
        double tick = 1e6 / Stopwatch.Frequency;
        for (int s = 0; s < steps; s++)
        {
            int phase = 0;
            var target = laps;
            long t = Stopwatch.GetTimestamp();
            void Lap()
            {
                long now = Stopwatch.GetTimestamp();
                target[phase++, s] = (now - t) * tick;
                t = now;
            }
            using (TensorScope.Begin())
            {
                var (xt, yt) = loader.GetBatch(s % (loader.BatchCount - 1));   // the last batch is short
                var x = xt.ReadOnlyData;
                var ys = yt.ReadOnlyData;
                for (int r = 0; r < N; r++) targets[r] = (int)ys[r];
                Lap();
                Dense(x, In, p[0], p[1], h1, H1); Lap();
                Activations.Relu(h1, a1); Lap();
                Dense(a1, H1, p[2], p[3], h2, H2); Lap();
                Activations.Relu(h2, a2); Lap();
                Dense(a2, H2, p[4], p[5], logits, C); Lap();
                SoftmaxKernels.LogSoftmax(logits, N, C, lp); Lap();
                Primitives.Exp(lp, dl);
                Primitives.Multiply(dl, 1f / N, dl);
                for (int r = 0; r < N; r++) dl[r * C + targets[r]] -= 1f / N;
                Lap();
                Gemm.Sgemm(false, false, N, H2, C, 1f, dl, C, p[4].ReadOnlyData, H2, 0f, da2, H2); Lap();
                Gemm.Sgemm(true, false, C, H2, N, 1f, dl, C, a2, H2, 0f, p[4].Grad!.AsSpan(), H2); Lap();
                BiasGrad(dl, C, p[5]); Lap();
                ActivationGrads.ReluGrad(h2, da2, dh2); Lap();
                Gemm.Sgemm(false, false, N, H1, H2, 1f, dh2, H2, p[2].ReadOnlyData, H1, 0f, da1, H1); Lap();
                Gemm.Sgemm(true, false, H2, H1, N, 1f, dh2, H2, a1, H1, 0f, p[2].Grad!.AsSpan(), H1); Lap();
                BiasGrad(dh2, H2, p[3]); Lap();
                ActivationGrads.ReluGrad(h1, da1, dh1); Lap();
                Gemm.Sgemm(true, false, H1, In, N, 1f, dh1, H1, x, In, 0f, p[0].Grad!.AsSpan(), In); Lap();
                BiasGrad(dh1, H1, p[1]); Lap();
            }
            optimizer.Step(); Lap();
            // A real step after each replica, in the same groups, so both see the same load.
            phase = 0;
            target = real;
            t = Stopwatch.GetTimestamp();
            using (TensorScope.Begin())
            {
                var (xt, yt) = loader.GetBatch(s % (loader.BatchCount - 1));
                Lap();
                var output = model.Forward(xt);
                Lap();
                var l = loss.Forward(output, yt);
                Lap();
                l.Backward();
                Lap();
                _ = l.Item();
            }
            optimizer.Step();
            optimizer.ZeroGrad();
            Lap();
        }

        Console.WriteLine($"nabla mlp-kernels threads={o.Threads}: µs per phase over {steps} steps (median, 10th percentile)");
        double medSum = 0, lowSum = 0;
        var row = new double[steps];
        for (int i = 0; i < names.Length; i++)
        {
            for (int s = 0; s < steps; s++) row[s] = laps[i, s];
            Array.Sort(row);
            double med = row[steps / 2], low = row[steps / 10];
            medSum += med;
            lowSum += low;
            Console.WriteLine($"  {names[i],-16}{med,8:F1}{low,8:F1}");
            BenchOptions.Result(names[i].Replace(' ', '_').Replace('+', '_'), med, "us", "lower");
        }
        Console.WriteLine($"  {"sum of phases",-16}{medSum,8:F1}{lowSum,8:F1}");

        // The same groups of the replica and of the real step (model.Forward, loss.Forward, Backward, Step + ZeroGrad).
        Console.WriteLine("  groups: replica vs real step (median, 10th percentile)");
        (string Name, int First, int Last)[] groups = [("gather", 0, 0), ("forward", 1, 5), ("loss", 6, 6), ("backward", 7, 17), ("optimizer", 18, 18), ("step", 0, 18)];
        int[] realFirst = [0, 1, 2, 3, 4, 0], realLast = [0, 1, 2, 3, 4, 4];
        for (int gi = 0; gi < groups.Length; gi++)
        {
            var (name, first, last) = groups[gi];
            var (med, low) = Percentiles(laps, first, last, steps);
            var (rmed, rlow) = Percentiles(real, realFirst[gi], realLast[gi], steps);
            Console.WriteLine($"  {name,-16}{med,8:F1}{low,8:F1}   real {rmed,8:F1}{rlow,8:F1}");
            BenchOptions.Result("real_" + name, rmed, "us", "lower");
        }
        return 0;
    }

    private static (double Median, double Low) Percentiles(double[,] laps, int first, int last, int steps)
    {
        var sums = new double[steps];
        for (int s = 0; s < steps; s++)
            for (int i = first; i <= last; i++) sums[s] += laps[i, s];
        Array.Sort(sums);
        return (sums[steps / 2], sums[steps / 10]);
    }

    // What LinearOp.Linear does: bias rows into y, then y += x·Wᵀ.
    private static void Dense(ReadOnlySpan<float> x, int k, Tensor w, Tensor b, Span<float> y, int n)
    {
        var bias = b.ReadOnlyData;
        for (int r = 0; r < N; r++) bias.CopyTo(y.Slice(r * n, n));
        Gemm.Sgemm(false, true, N, n, k, 1f, x, k, w.ReadOnlyData, k, 1f, y, n);
    }

    // What LinearNode's bias gradient does.
    private static void BiasGrad(ReadOnlySpan<float> g, int n, Tensor b)
    {
        var db = b.Grad!.AsSpan();
        db.Clear();
        for (int r = 0; r < N; r++) Primitives.Add(db, g.Slice(r * n, n), db);
    }
}
