// Node classification on a real graph: 63,694 Debian packages linked by their dependencies, each
// described by a bag of its description's 5,000 most frequent words, labelled with its section (58
// classes). Trains an MLP (words only), a GCN, GraphSAGE and a GAT with the same recipe — hidden 64,
// dropout 0.5 on the hidden layer, Adam 1e-2 with weight decay 5e-4, 200 full-batch epochs on 10 %
// of the nodes, the test accuracy of the best validation epoch — and prints one JSON line last.
//
// Usage: dotnet run -c Release --project samples/PackageGraph -- [--nodes FILE] [--id COLUMN]
//        [--neighbors COLUMN] [--text COLUMN] [--label COLUMN] [--models mlp,gcn,sage,gat]
//        [--epochs 200] [--hidden 64] [--seed 0] [--threads N]
// Defaults read ../shared/data/debian-packages.tsv.gz: id `package`, neighbours `depends`, text
// `description`, label `section`. Any node file with those four kinds of columns works the same way.
using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

string? nodes = null;
string id = "package", neighbors = "depends", text = "description", label = "section";
string[] models = ["mlp", "gcn", "sage", "gat"];
int epochs = 200, hidden = 64, threads = Environment.ProcessorCount;
ulong seed = 0;
for (int i = 0; i < args.Length; i += 2)
{
    string? value = i + 1 < args.Length ? args[i + 1] : null;
    if (value is null) return Usage($"option {args[i]} needs a value");
    switch (args[i])
    {
        case "--nodes": nodes = value; break;
        case "--id": id = value; break;
        case "--neighbors": neighbors = value; break;
        case "--text": text = value; break;
        case "--label": label = value; break;
        case "--models": models = value.Split(','); break;
        case "--epochs": epochs = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--hidden": hidden = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": seed = ulong.Parse(value, CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(value, CultureInfo.InvariantCulture); break;
        default: return Usage($"unknown option {args[i]}");
    }
}
foreach (var m in models)
    if (m is not ("mlp" or "gcn" or "sage" or "gat")) return Usage($"unknown model '{m}' (mlp, gcn, sage, gat)");
WorkerPool.MaxThreads = threads;
nodes ??= FindData("debian-packages.tsv.gz");

var total = Stopwatch.StartNew();
NodeData data;
try
{
    data = NodeTable.Load(nodes, new NodeTableOptions { IdColumn = id, NeighborColumn = neighbors, TextColumn = text, LabelColumn = label });
}
catch (Exception e) when (e is Nabla.NablaException or FileNotFoundException)
{
    Console.Error.WriteLine($"PackageGraph: {e.Message}");
    return 2;
}
var graph = data.Graph;
var features = data.Features!;
Console.WriteLine($"{Path.GetFileName(nodes)}: {data.NodeCount:N0} nodes, {graph.EdgeCount:N0} directed edges with self loops, " +
                  $"{features.Columns:N0} words ({features.NonZeroCount:N0} ones), {data.Classes.Count} classes, {data.LabeledCount:N0} labelled; " +
                  $"{total.Elapsed.TotalSeconds:F1} s to load; {threads} thread(s)");
if (data.DroppedNeighbors > 0)
    Console.WriteLine($"note: {data.DroppedNeighbors:N0} neighbours are not nodes and were left out, the first {data.FirstDroppedNeighbor}");

var split = data.RandomSplit(new Rng(seed), 0.1, 0.1);
Console.WriteLine($"split (seed {seed}): {split.Train.Length:N0} train, {split.Validation.Length:N0} validation, {split.Test.Length:N0} test nodes");

var accuracies = new Dictionary<string, double>();
foreach (var name in models)
{
    var rng = new Rng(seed + 1);
    int classes = data.Classes.Count;
    GraphModule model = name switch
    {
        "mlp" => new Mlp(features.Columns, hidden, classes, rng),
        "gcn" => new TwoLayerGnn(new GCNConv(features.Columns, hidden, rng), new GCNConv(hidden, classes, rng), rng),
        "sage" => new TwoLayerGnn(new SAGEConv(features.Columns, hidden, rng), new SAGEConv(hidden, classes, rng), rng),
        _ => new TwoLayerGnn(new GATConv(features.Columns, hidden / 8, rng, heads: 8), new GATConv(hidden / 8 * 8, classes, rng), rng),
    };
    var optimizer = new Adam(model.Parameters(), 1e-2f, weightDecay: 5e-4f);
    var result = NodeClassification.Fit(model, features, graph, data, split, optimizer, epochs, e =>
    {
        if ((e.Epoch + 1) % 20 == 0 || e.Epoch == 0)
            Console.WriteLine($"  {name} epoch {e.Epoch + 1,3}: loss {e.Loss:F4}, train {e.TrainAccuracy:F3}, validation {e.ValidationAccuracy:F3}, test {e.TestAccuracy:F3}, {e.Seconds:F2} s");
    });
    accuracies[name] = result.TestAccuracy;
    Console.WriteLine($"{name}: test accuracy {result.TestAccuracy:F4} at the best validation epoch {result.BestEpoch + 1} " +
                      $"(validation {result.ValidationAccuracy:F4}); {model.ParameterCount():N0} parameters, {result.Seconds:F1} s");
}

string Field(string name) => accuracies.TryGetValue(name, out double a) ? a.ToString("F4", CultureInfo.InvariantCulture) : "null";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"mlp_test_accuracy\":{Field("mlp")},\"gcn_test_accuracy\":{Field("gcn")},\"sage_test_accuracy\":{Field("sage")},\"gat_test_accuracy\":{Field("gat")},\"seconds\":{total.Elapsed.TotalSeconds:F1}}}"));
return 0;

static int Usage(string problem)
{
    Console.Error.WriteLine($"PackageGraph: {problem}");
    Console.Error.WriteLine("usage: PackageGraph [--nodes FILE] [--id COLUMN] [--neighbors COLUMN] [--text COLUMN] [--label COLUMN] " +
                            "[--models mlp,gcn,sage,gat] [--epochs 200] [--hidden 64] [--seed 0] [--threads N]");
    return 2;
}

static string FindData(string file)
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", file);
        if (File.Exists(candidate)) return Path.GetFullPath(candidate);
    }
    return Path.Combine("..", "shared", "data", file);
}

/// <summary>Two graph layers with ReLU and dropout 0.5 between them: PyG's GCN example, any layer kind.</summary>
internal sealed class TwoLayerGnn : GraphModule
{
    private readonly GraphModule _conv1, _conv2;
    private readonly Dropout _dropout;

    public TwoLayerGnn(GraphModule conv1, GraphModule conv2, Rng rng)
    {
        _conv1 = RegisterModule("conv1", conv1);
        _conv2 = RegisterModule("conv2", conv2);
        _dropout = RegisterModule("dropout", new Dropout(0.5f, rng));
    }

    public override Tensor Forward(NodeFeatures x, Graph graph) =>
        _conv2.Forward(_dropout.Forward(_conv1.Forward(x, graph).Relu()), graph);
}

/// <summary>The baseline: the same sizes and dropout without the graph (nn.Linear layers on each node's words).</summary>
internal sealed class Mlp : GraphModule
{
    private readonly Dense _fc1, _fc2;
    private readonly Dropout _dropout;

    public Mlp(int features, int hidden, int classes, Rng rng)
    {
        _fc1 = RegisterModule("fc1", new Dense(features, hidden, rng));
        _fc2 = RegisterModule("fc2", new Dense(hidden, classes, rng));
        _dropout = RegisterModule("dropout", new Dropout(0.5f, rng));
    }

    public override Tensor Forward(NodeFeatures x, Graph graph) =>
        _fc2.Forward(_dropout.Forward(x.Linear(_fc1.Weight, _fc1.Bias).Relu()));
}
