using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// gcn-profile: one epoch of gcn-epochs taken apart — each operation of the two-layer GCN on the
/// Debian package graph forward and forward + backward, the whole update and the evaluation pass —
/// so the time per piece can be read off. Best of the repetitions, wall and process CPU ms (on a
/// shared machine CPU time is the steadier figure).
/// Usage: Nabla.Bench gcn-profile [--data DIR] [--threads 1,2] [--reps 5]
/// </summary>
internal static class GcnStepBenchmark
{
    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2];
        int reps = 5;
        string dir = Path.Combine("..", "shared", "data");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--threads") threadCounts = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] == "--reps") reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--data") dir = args[i + 1];
            else { Console.Error.WriteLine($"unknown option {args[i]}"); return 2; }
        }
        var data = NodeTable.Load(Path.Combine(dir, "debian-packages.tsv.gz"), new NodeTableOptions
        {
            IdColumn = "package", NeighborColumn = "depends", TextColumn = "description", LabelColumn = "section",
        });
        var x = data.Features!;
        var a = data.Graph.SymmetricNormalized();
        int n = data.NodeCount, classes = data.Classes.Count;
        var rng = new Rng(1);
        var conv1 = new GCNConv(x.Columns, 64, rng);
        var conv2 = new GCNConv(64, classes, rng);
        var dropout = new Dropout(0.5f, rng);
        var split = data.RandomSplit(new Rng(2), 0.1, 0.1);
        var train = NodeData.Index(split.Train);
        var targets = data.Targets(split.Train);
        var loss = new CrossEntropyLoss();
        var adam = new Adam([.. conv1.Parameters(), .. conv2.Parameters()], 1e-2f, weightDecay: 5e-4f);
        var h64 = Tensor.Randn(new Shape(n, 64), rng).RequireGrad();
        var h58 = Tensor.Randn(new Shape(n, classes), rng).RequireGrad();
        var w1 = conv1.Weight;
        var w2 = conv2.Weight;
        Tensor Model() => conv2.Forward(dropout.Forward(conv1.Forward(x, data.Graph).Relu()), data.Graph);
        foreach (int threads in threadCounts)
        {
            WorkerPool.MaxThreads = threads;
            Console.WriteLine($"## {threads} thread(s), {n:N0} nodes, {a.NonZeroCount:N0} edges, {x.NonZeroCount:N0} feature entries; best of {reps}: wall ms, process CPU ms");
            Row("sparse x·W1ᵀ", Best(reps, () => { using (TensorScope.Begin()) x.Linear(w1, null); }));
            Row("sparse x·W1ᵀ + backward", Best(reps, () => { using (TensorScope.Begin()) x.Linear(w1, null).Sum().Backward(); }));
            Row("Â·H, 64 columns", Best(reps, () => { using (TensorScope.Begin()) a.MatMul(h64); }));
            Row("Â·H, 64 columns + backward", Best(reps, () => { using (TensorScope.Begin()) a.MatMul(h64).Sum().Backward(); }));
            Row("Â·H, 58 columns + backward", Best(reps, () => { using (TensorScope.Begin()) a.MatMul(h58).Sum().Backward(); }));
            Row("H + b (64)", Best(reps, () => { using (TensorScope.Begin()) _ = h64 + conv1.Bias!; }));
            Row("ReLU (64)", Best(reps, () => { using (TensorScope.Begin()) h64.Relu(); }));
            Row("dropout (64)", Best(reps, () => { using (TensorScope.Begin()) dropout.Forward(h64); }));
            Row("H + b, ReLU, dropout + backward", Best(reps, () => { using (TensorScope.Begin()) dropout.Forward((h64 + conv1.Bias!).Relu()).Sum().Backward(); }));
            Row("H·W2ᵀ + backward", Best(reps, () => { using (TensorScope.Begin()) h64.Linear(w2, null).Sum().Backward(); }));
            Row("loss on training nodes + backward", Best(reps, () => { using (TensorScope.Begin()) loss.Forward(h58.IndexSelect(0, train), targets).Backward(); }));
            Row("model forward", Best(reps, () => { using (TensorScope.Begin()) Model(); }));
            Row("model forward + loss + backward", Best(reps, () => { using (TensorScope.Begin()) loss.Forward(Model().IndexSelect(0, train), targets).Backward(); }));
            Row("Adam step", Best(reps, () => { adam.Step(); adam.ZeroGrad(); }));
            dropout.Train(false);
            conv1.Train(false);
            Row("evaluation forward (no grad)", Best(reps, () => { using (TensorScope.Begin()) using (GradMode.NoGrad()) Model().ArgMax(1); }));
            dropout.Train();
        }
        return 0;
    }

    private static double _lastCpu;

    private static void Row(string name, double ms) => Console.WriteLine($"{name,-36}{ms,9:F2}{_lastCpu,9:F1} cpu");

    private static double Best(int reps, Action action)
    {
        for (int w = 0; w < 3; w++) action();
        double best = double.MaxValue, bestCpu = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < reps; r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
        }
        _lastCpu = bestCpu;
        return best;
    }
}
