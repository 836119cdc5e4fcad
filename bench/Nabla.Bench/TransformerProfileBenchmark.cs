using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// Where an encoder-step goes: the whole step, its forward and backward, and each kernel of the layer
/// on its own (attention, layer norm, the GEMMs of the four linear layers). Reports the best of the
/// repetitions in wall and process-CPU milliseconds (the CPU figure is the steadier one on a busy machine).
/// Usage: Nabla.Bench encoder-profile [--threads 1,2] [--reps 5]
/// </summary>
internal static class TransformerProfileBenchmark
{
    private const int B = 32, L = 128, D = 256, H = 4, FF = 1024, N = B * L;

    public static int Run(string[] args)
    {
        if (!ParseProfile(args, out var threadCounts, out int reps)) return 2;
        foreach (int threads in threadCounts)
        {
            WorkerPool.MaxThreads = threads;
            Console.WriteLine($"## {threads} thread(s), best of {reps}: wall ms, process CPU ms");
            Kernels(reps);
            Layer(reps);
        }
        return 0;
    }

    private static void Layer(int reps)
    {
        var rng = new Rng(1);
        var layer = new TransformerEncoderLayer(D, H, rng, FF, dropout: 0.1f);
        var adam = new Adam(layer.Parameters(), 1e-3f);
        var loss = new MSELoss();
        var x = Tensor.Randn(new Shape(B, L, D), rng);
        var target = Tensor.Randn(new Shape(B, L, D), rng);
        layer.Eval();
        Row("eval: self-attention block forward", Best(reps, () =>
        {
            using (TensorScope.Begin()) layer.SelfAttn.Forward(x, x, x, needWeights: false);
        }));
        Row("eval: feed-forward linear1+relu+linear2", Best(reps, () =>
        {
            using (TensorScope.Begin()) layer.Linear2.Forward(layer.Linear1.Forward(x).Relu());
        }));
        Row("eval: norm1(x + x)", Best(reps, () =>
        {
            using (TensorScope.Begin()) layer.Norm1.Forward(x + x);
        }));
        Row("eval: whole layer forward", Best(reps, () =>
        {
            using (TensorScope.Begin()) layer.Forward(x);
        }));
        layer.Train();
        // Q/K/V as one product (self-attention: query, key and value are one tensor) against three
        // (the same data as three tensors), alternately in this process so machine load hits both alike.
        var k = x.Detach();
        var v = x.Detach();
        var seed = Tensor.Randn(new Shape(B, L, D), rng);
        var (one, three) = BestPair(reps,
            () => { using (TensorScope.Begin()) layer.SelfAttn.Forward(x, x, x, needWeights: false).Output.Backward(seed); },
            () => { using (TensorScope.Begin()) layer.SelfAttn.Forward(x, k, v, needWeights: false).Output.Backward(seed); });
        layer.ZeroGrad();
        Row("train: attention fwd+bwd, Q/K/V one product", one);
        Row("train: attention fwd+bwd, three products", three);
        var (fused, apart) = BestPair(reps,
            () => { using (TensorScope.Begin()) layer.Linear2.Forward(DropoutOp.ReluDropout(layer.Linear1.Forward(x), 0.1f, rng)).Backward(seed); },
            () => { using (TensorScope.Begin()) layer.Linear2.Forward(layer.Dropout.Forward(layer.Linear1.Forward(x).Relu())).Backward(seed); });
        layer.ZeroGrad();
        Row("train: feed-forward fwd+bwd, ReLU+dropout fused", fused);
        Row("train: feed-forward fwd+bwd, ReLU then dropout", apart);
        Row("train: whole layer forward", Best(reps, () =>
        {
            using (TensorScope.Begin()) layer.Forward(x);
        }));
        Row("step: forward + loss", Best(reps, () =>
        {
            using (TensorScope.Begin()) loss.Forward(layer.Forward(x), target);
        }));
        Row("step: forward + loss + backward", Best(reps, () =>
        {
            using (TensorScope.Begin()) loss.Forward(layer.Forward(x), target).Backward();
        }));
        Row("step: Adam + zero grad", Best(reps, () => { adam.Step(); adam.ZeroGrad(); }));
        void Step()
        {
            using (TensorScope.Begin()) loss.Forward(layer.Forward(x), target).Backward();
            adam.Step();
            adam.ZeroGrad();
        }
        Row("whole training step", Best(reps, Step));
        // Bias added in the GEMM's write-back and its gradient taken while Gᵀ is packed, against the bias
        // fill before the product and a separate pass over G (bitwise the same), alternately.
        var (folded, separate) = BestPair(2 * reps, Step, () =>
        {
            LinearOp.FusedBias = false;
            try { Step(); }
            finally { LinearOp.FusedBias = true; }
        });
        Row("whole step, bias folded into the GEMMs", folded);
        Row("whole step, bias fill + bias-gradient pass", separate);
    }

    private static void Kernels(int reps)
    {
        var rng = new Rng(2);
        float[] Arr(long n) { var a = new float[n]; rng.FillNormal(a); return a; }
        var xs = Arr(N * D); var w = Arr(FF * D); var y = Arr(N * FF); var dy = Arr(N * FF); var dw = new float[FF * D]; var dx = new float[N * D];
        GemmRow("GEMM out-proj x·Wᵀ [4096,256]x[256,256]", N, D, D, reps, () => Gemm.Sgemm(false, true, N, D, D, 1f, xs, D, w, D, 0f, y, D));
        GemmRow("GEMM qkv x·Wᵀ [4096,256]x[256,768]", N, 3 * D, D, reps, () => Gemm.Sgemm(false, true, N, 3 * D, D, 1f, xs, D, w, D, 0f, y, 3 * D));
        GemmRow("GEMM linear1 x·Wᵀ [4096,256]x[256,1024]", N, FF, D, reps, () => Gemm.Sgemm(false, true, N, FF, D, 1f, xs, D, w, D, 0f, y, FF));
        GemmRow("GEMM linear2 x·Wᵀ [4096,1024]x[1024,256]", N, D, FF, reps, () => Gemm.Sgemm(false, true, N, D, FF, 1f, dy, FF, w, FF, 0f, dx, D));
        GemmRow("GEMM linear1 dX = G·W", N, D, FF, reps, () => Gemm.Sgemm(false, false, N, D, FF, 1f, dy, FF, w, D, 0f, dx, D));
        GemmRow("GEMM linear1 dW = Gᵀ·X", FF, D, N, reps, () => Gemm.Sgemm(true, false, FF, D, N, 1f, dy, FF, xs, D, 0f, dw, D));
        GemmRow("GEMM linear2 dX = G·W", N, FF, D, reps, () => Gemm.Sgemm(false, false, N, FF, D, 1f, xs, D, w, FF, 0f, y, FF));
        GemmRow("GEMM linear2 dW = Gᵀ·X", D, FF, N, reps, () => Gemm.Sgemm(true, false, D, FF, N, 1f, xs, D, dy, FF, 0f, dw, FF));
        GemmRow("GEMM out-proj dW = Gᵀ·X", D, D, N, reps, () => Gemm.Sgemm(true, false, D, D, N, 1f, xs, D, dx, D, 0f, dw, D));
        var q = Arr(N * D); var k = Arr(N * D); var v = Arr(N * D); var o = new float[N * D];
        var g = new AttentionGeometry(B, H, L, L, D / H, D / H, 0.125f, false);
        var probs = new float[g.Pieces * g.ScoreSize];
        var op = (float[] a) => new AttentionOperand(a, 0, L * D, D);
        Row("attention forward (save P)", Best(reps, () => AttentionKernels.Forward(g, op(q), op(k), op(v), AttentionMasks.None, 0f, 0, probs, null, o, 0)));
        Row("attention forward, dropout 0.1", Best(reps, () => AttentionKernels.Forward(g, op(q), op(k), op(v), AttentionMasks.None, 0.1f, 3, probs, null, o, 0)));
        var dq = new float[N * D]; var dk = new float[N * D]; var dv = new float[N * D];
        Row("attention backward, dropout 0.1", Best(reps, () => AttentionKernels.Backward(g, op(q), op(k), op(v), 0.1f, 3, probs, o, 0, dq, 0, false, dk, 0, false, dv, 0, false)));
        var mean = new float[N]; var rstd = new float[N]; var gamma = Arr(D); var beta = Arr(D); var dg = new float[D]; var db = new float[D];
        Row("layer norm forward", Best(reps, () => LayerNormKernels.Forward(xs, N, D, gamma, beta, 1e-5f, dx, mean, rstd)));
        var drop = new Dropout(0.1f, new Rng(3));
        var big = Tensor.Randn(new Shape(N, FF), rng).RequireGrad();
        var seed = Tensor.Randn(new Shape(N, FF), rng);
        Row("dropout layer fwd+bwd [4096,1024]", Best(reps, () =>
        {
            using (TensorScope.Begin()) drop.Forward(big).Backward(seed);
        }));
        Row("relu fwd+bwd [4096,1024]", Best(reps, () =>
        {
            using (TensorScope.Begin()) big.Relu().Backward(seed);
        }));
        var small = Tensor.Randn(new Shape(B, L, D), rng).RequireGrad();
        var seedSmall = Tensor.Randn(new Shape(B, L, D), rng);
        Row("residual add fwd+bwd [32,128,256]", Best(reps, () =>
        {
            using (TensorScope.Begin()) (small + small).Backward(seedSmall);
        }));
        Row("layer norm backward", Best(reps, () => LayerNormKernels.Backward(xs, o, N, D, mean, rstd, gamma, dq, false, dg, false, db, false)));
    }

    /// <summary>The profiles' options: --threads 1,2 (default 1) and --reps N (default 5).</summary>
    internal static bool ParseProfile(string[] args, out int[] threadCounts, out int reps)
    {
        threadCounts = [1];
        reps = 5;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--threads") threadCounts = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] == "--reps") reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else { Console.Error.WriteLine($"unknown option {args[i]}"); return false; }
        }
        return true;
    }

    private static void GemmRow(string name, int m, int n, int k, int reps, Action action)
    {
        var (wall, cpu) = Best(reps, action);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-48}{wall,9:F2}{cpu,9:F1} cpu {2.0 * m * n * k / cpu / 1e6,7:F1} GFLOP/s(cpu)"));
    }

    internal static void Row(string name, (double Wall, double Cpu) t) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-48}{t.Wall,9:F2}{t.Cpu,9:F1} cpu"));

    /// <summary>Best wall and CPU ms of <paramref name="a"/> and of <paramref name="b"/>, run alternately after a warm-up of each.</summary>
    internal static ((double, double) A, (double, double) B) BestPair(int reps, Action a, Action b)
    {
        Warm(a);
        Warm(b);
        var (ra, rb) = ((double.MaxValue, double.MaxValue), (double.MaxValue, double.MaxValue));
        for (int r = 0; r < reps; r++)
        {
            var x = Once(a);
            var y = Once(b);
            ra = (Math.Min(ra.Item1, x.Item1), Math.Min(ra.Item2, x.Item2));
            rb = (Math.Min(rb.Item1, y.Item1), Math.Min(rb.Item2, y.Item2));
        }
        return (ra, rb);
    }

    internal static (double, double) Best(int reps, Action action)
    {
        Warm(action);
        double best = double.MaxValue, bestCpu = double.MaxValue;
        for (int r = 0; r < reps; r++)
        {
            var (wall, cpu) = Once(action);
            best = Math.Min(best, wall);
            bestCpu = Math.Min(bestCpu, cpu);
        }
        return (best, bestCpu);
    }

    // At least 0.3 s and two calls, so tiered JIT has promoted the hot loops before timing.
    private static void Warm(Action action)
    {
        long warm = Stopwatch.GetTimestamp();
        for (int w = 0; w < 2 || Stopwatch.GetElapsedTime(warm).TotalSeconds < 0.3; w++) action();
    }

    private static (double Wall, double Cpu) Once(Action action)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        action();
        double wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
    }
}
