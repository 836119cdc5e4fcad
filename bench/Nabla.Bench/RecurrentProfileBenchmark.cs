using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using static Nabla.Bench.TransformerProfileBenchmark;

namespace Nabla.Bench;

/// <summary>
/// Where an lstm-step goes (the shapes of <see cref="RecurrentStepBenchmark"/>): the whole step, its
/// forward, backward and Adam, and each kernel of the recurrent op on its own, summed over the 50
/// timesteps where it runs per step. The per-kernel rows let a change be judged by the phase it
/// targets; the whole-step rows say whether it shows. Best of the repetitions, wall and process-CPU ms.
/// Usage: Nabla.Bench lstm-profile [--threads 1,2] [--reps 5]
/// </summary>
internal static class RecurrentProfileBenchmark
{
    private const int N = 64, T = 50, F = 64, H = 128, G = 4 * H, Rows = N * T, Classes = 10;

    public static int Run(string[] args)
    {
        if (!ParseProfile(args, out var threadCounts, out int reps)) return 2;
        foreach (int threads in threadCounts)
        {
            WorkerPool.MaxThreads = threads;
            Console.WriteLine($"## {threads} thread(s), best of {reps}: wall ms, process CPU ms");
            Kernels(reps);
            Step(reps);
        }
        return 0;
    }

    private static void Step(int reps)
    {
        var rng = new Rng(1);
        var model = new Sequential(new LSTM(F, H, rng), new Dense(H, Classes, rng));
        var x = Tensor.Randn(new Shape(N, T, F), rng);
        var y = Tensor.Zeros(N);
        for (int i = 0; i < N; i++) y[i] = rng.NextInt(Classes);
        var adam = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        Row("step: forward + loss", Best(reps, () =>
        {
            using (TensorScope.Begin()) loss.Forward(model.Forward(x), y);
        }));
        Row("step: forward + loss + backward", Best(reps, () =>
        {
            using (TensorScope.Begin()) loss.Forward(model.Forward(x), y).Backward();
            adam.ZeroGrad();
        }));
        Row("step: Adam + zero grad", Best(reps, () => { adam.Step(); adam.ZeroGrad(); }));
        Row("whole training step", Best(reps, () =>
        {
            using (TensorScope.Begin()) loss.Forward(model.Forward(x), y).Backward();
            adam.Step();
            adam.ZeroGrad();
        }));
    }

    private static void Kernels(int reps)
    {
        var rng = new Rng(2);
        float[] Arr(long n, float scale = 1f)
        {
            var a = new float[n];
            rng.FillNormal(a);
            for (int i = 0; i < a.Length; i++) a[i] *= scale;
            return a;
        }
        var x = Arr(Rows * F); var wih = Arr(G * F, 0.1f); var whh = Arr(G * H, 0.1f);
        var gates = Arr(Rows * G); var states = Arr(Rows * H, 0.5f); var cells = Arr(Rows * H, 0.5f);
        var bias = Arr(G); var hn = new float[N * H]; var cn = new float[N * H]; var output = new float[Rows * H];
        var dG = Arr(Rows * G, 0.01f); var dh = new float[N * H]; var dc = new float[N * H];
        var dwT = new float[H * G]; var dx = new float[Rows * F]; var db = new float[G];
        var packedT = PackedMatrix.Rent();
        packedT.Pack(true, H, G, whh, H);
        var packed = PackedMatrix.Rent();
        packed.Pack(false, G, H, whh, H);
        var path = KernelPaths.Best;
        int rowStride = T * H, gatesStride = T * G;
        Row("fwd: input projection GEMM [3200,64]x[64,512]", Best(reps, () => Gemm.Sgemm(false, true, Rows, G, F, 1f, x, F, wih, F, 0f, gates, G)));
        Row("fwd: 50 x h·W_hhᵀ [64,128]x[128,512]", Best(reps, () =>
        {
            for (int t = 0; t < T; t++) packedT.Multiply(N, states.AsSpan(t * H), rowStride, 1f, gates.AsSpan(t * G), gatesStride);
        }));
        Row("fwd: 50 x LstmCell.Forward", Best(reps, () =>
        {
            for (int t = 0; t < T; t++)
                LstmCell.Forward(N, H, t, default, gates.AsSpan(t * G), gatesStride, bias, states.AsSpan(t * H), rowStride, cells.AsSpan(t * H), rowStride,
                    hn, H, cn, H, output.AsSpan(t * H), rowStride, path);
        }));
        // The same work on one step's block with rows G (and H) apart: against the rows above (T·G
        // apart, as in the op's saved buffer) it shows what the strided layout costs.
        var g1 = Arr(N * G); var s1 = Arr(N * H, 0.5f); var c1 = Arr(N * H, 0.5f); var y1 = new float[N * H];
        Row("fwd: 50 x h·W_hhᵀ, rows G apart", Best(reps, () =>
        {
            for (int t = 0; t < T; t++) packedT.Multiply(N, s1, H, 1f, g1, G);
        }));
        Row("fwd: 50 x LstmCell.Forward, rows G apart", Best(reps, () =>
        {
            for (int t = 0; t < T; t++) LstmCell.Forward(N, H, t, default, g1, G, bias, s1, H, c1, H, hn, H, cn, H, y1, H, path);
        }));
        Row("bwd: 50 x LstmCell.Backward", Best(reps, () =>
        {
            for (int t = T - 1; t >= 0; t--)
                LstmCell.Backward(N, H, t, default, gates.AsSpan(t * G), gatesStride, dG.AsSpan(t * G), gatesStride, cells.AsSpan(t * H), rowStride,
                    cells.AsSpan(t * H), rowStride, output.AsSpan(t * H), rowStride, dh, dc, path);
        }));
        Array.Copy(gates, dG, dG.Length);
        for (int i = 0; i < dG.Length; i++) dG[i] *= 0.01f;
        Row("bwd: 50 x ∂a·W_hh [64,512]x[512,128]", Best(reps, () =>
        {
            for (int t = T - 1; t >= 0; t--) packed.Multiply(N, dG.AsSpan(t * G), gatesStride, 1f, dh, H);
        }));
        Row("bwd: ∂W_ih GEMM Xᵀ·∂a [64,3200]x[3200,512]", Best(reps, () => Gemm.Sgemm(true, false, F, G, Rows, 1f, x, F, dG, G, 0f, dwT, G)));
        Row("bwd: ∂W_hh GEMM Hᵀ·∂a [128,3200]x[3200,512]", Best(reps, () => Gemm.Sgemm(true, false, H, G, Rows, 1f, states, H, dG, G, 0f, dwT, G)));
        Row("bwd: ∂X GEMM [3200,512]x[512,64]", Best(reps, () => Gemm.Sgemm(false, false, Rows, F, G, 1f, dG, G, wih, F, 0f, dx, F)));
        Row("bwd: bias column sums [3200,512]", Best(reps, () => ColumnSums.Compute(dG, Rows, G, db, false)));
        Row("pack W_hh (fwd + bwd)", Best(reps, () =>
        {
            packedT.Pack(true, H, G, whh, H);
            packed.Pack(false, G, H, whh, H);
        }));
        PackedMatrix.Return(packed);
        PackedMatrix.Return(packedT);
    }
}
