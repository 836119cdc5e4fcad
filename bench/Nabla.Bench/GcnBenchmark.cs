using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Bench;

/// <summary>
/// gcn-epochs: 200 full-batch epochs of the two-layer GCN of samples/PackageGraph on the Debian package
/// graph (63,694 nodes, 553,866 edges with self loops, 5,000-word sparse features, 58 classes):
/// every epoch one update on the 10 % training nodes and one evaluation of all nodes; twin:
/// bench/peers/gcn-epochs.py (torch.sparse.mm). Reports the epochs' wall and process CPU seconds
/// (loading excluded; on a loaded machine CPU time is the steadier figure, but with 2 threads it also
/// counts the workers' spinning), the best-validation epoch's test accuracy and the process's peak RSS.
/// </summary>
internal static class GcnBenchmark
{
    public static int Epochs(string[] args)
    {
        var o = BenchOptions.Parse("gcn-epochs", args);
        if (o is null) return 2;
        string path = Path.Combine(o.DataDir, "debian-packages.tsv.gz");
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"gcn-epochs: {Path.GetFullPath(path)} not found; pass --data DIR (the folder holding debian-packages.tsv.gz)");
            return 2;
        }
        int epochs = o.Calls > 0 ? o.Calls : 200;
        var data = NodeTable.Load(path, new NodeTableOptions
        {
            IdColumn = "package", NeighborColumn = "depends", TextColumn = "description", LabelColumn = "section",
        });
        var split = data.RandomSplit(new Rng((ulong)o.Seed), 0.1, 0.1);
        var rng = new Rng((ulong)o.Seed + 1);
        var model = new Gcn(data.Features!.Columns, 64, data.Classes.Count, rng);
        var optimizer = new Adam(model.Parameters(), 1e-2f, weightDecay: 5e-4f);
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var result = NodeClassification.Fit(model, data.Features, data.Graph, data, split, optimizer, epochs);
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        double rss = BenchOptions.PeakRssMiB();
        Console.WriteLine($"nabla gcn-epochs threads={o.Threads}: {result.Seconds:F2} s for {epochs} epochs ({1000 * result.Seconds / Math.Max(1, epochs):F1} ms each, {cpu:F2} s CPU), " +
                          $"test accuracy {result.TestAccuracy:F4} at the best validation epoch {result.BestEpoch + 1} (validation {result.ValidationAccuracy:F4}), peak RSS {rss:F0} MiB");
        BenchOptions.Result("seconds", result.Seconds, "s", "lower");
        BenchOptions.Result("cpu_seconds", cpu, "s", "lower");
        BenchOptions.Result("test_accuracy", result.TestAccuracy, "fraction", "parity");
        BenchOptions.Result("peak_rss", rss, "MiB", "lower");
        return 0;
    }

    /// <summary>GCNConv(in, 64) – ReLU – dropout 0.5 – GCNConv(64, classes), PyG's GCN example.</summary>
    private sealed class Gcn : GraphModule
    {
        private readonly GCNConv _conv1, _conv2;
        private readonly Dropout _dropout;

        public Gcn(int features, int hidden, int classes, Rng rng)
        {
            _conv1 = RegisterModule("conv1", new GCNConv(features, hidden, rng));
            _conv2 = RegisterModule("conv2", new GCNConv(hidden, classes, rng));
            _dropout = RegisterModule("dropout", new Dropout(0.5f, rng));
        }

        public override Tensor Forward(NodeFeatures x, Graph graph) =>
            _conv2.Forward(_dropout.Forward(_conv1.Forward(x, graph).Relu()), graph);
    }
}
