// Auxiliary outputs (multi-level supervision) on Fashion-MNIST: a deep sigmoid MLP trained with and without an
// auxiliary classifier head at an intermediate layer. Both variants start from the same weights (the auxiliary head is
// created last) and see the batches in the same order; the auxiliary head's loss is added with weight --aux-weight.
// Reported: for each of the --targets, the epochs each variant needs until the MAIN output's training loss (Fit's
// running mean over the epoch) is at most that target, and the main output's test accuracy when training stops (after
// the lowest target or --max-epochs).
// Usage: dotnet run -c Release --project samples/AuxiliaryOutputs -- [--seeds 42,1,2] [--depth 10] [--width 64]
//        [--aux-at 3] [--aux-weight 1] [--targets 2.0,1.5,1.0] [--max-epochs 15] [--limit 20000] [--optimizer adam|sgd] [--lr 0.001] [--threads 2] [--data DIR]
// The last line is one JSON object: per target, the mean epochs to it with and without the auxiliary head (a run that
// never reaches it counts as max-epochs + 1) and how many seeds reached it; test accuracies; seconds.
using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

int depth = 10, width = 64, auxAt = 3, maxEpochs = 15, limit = 20000, threads = Environment.ProcessorCount;
float auxWeight = 1f, lr = 1e-3f;
float[] targets = [2.0f, 1.5f, 1.0f];
string optimizer = "adam";
ulong[] seeds = [42, 1, 2];
string? dataDir = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    string v = args[i + 1];
    switch (args[i])
    {
        case "--seeds": seeds = [.. v.Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture))]; break;
        case "--depth": depth = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--width": width = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--aux-at": auxAt = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--aux-weight": auxWeight = float.Parse(v, CultureInfo.InvariantCulture); break;
        case "--targets": targets = [.. v.Split(',').Select(t => float.Parse(t, CultureInfo.InvariantCulture)).OrderDescending()]; break;
        case "--max-epochs": maxEpochs = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--limit": limit = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--lr": lr = float.Parse(v, CultureInfo.InvariantCulture); break;
        case "--optimizer" when v is "adam" or "sgd": optimizer = v; break;
        case "--threads": threads = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--data": dataDir = v; break;
        default: Console.Error.WriteLine($"unknown option or value: {args[i]} {v}"); return 2;
    }
}
if (auxAt < 1 || auxAt >= depth) { Console.Error.WriteLine($"--aux-at must be in 1..{depth - 1}, got {auxAt}"); return 2; }
WorkerPool.MaxThreads = threads;
dataDir ??= FindData();
string F(string name) => Path.Combine(dataDir, name);
var train = IdxImages.Load(F("train-images-idx3-ubyte.gz"), F("train-labels-idx1-ubyte.gz"), limit: limit);
var test = IdxImages.Load(F("t10k-images-idx3-ubyte.gz"), F("t10k-labels-idx1-ubyte.gz"));
var clock = Stopwatch.StartNew();
Console.WriteLine($"{train.Count} training images; MLP 784-{string.Join("-", Enumerable.Repeat(width, depth))}-10, sigmoid; " +
    $"{(optimizer == "sgd" ? "SGD" : "Adam")} lr {lr}{(optimizer == "sgd" ? " momentum 0.9" : "")}, batch 64; auxiliary head after hidden layer {auxAt} (weight {auxWeight}); targets for the main loss {string.Join(", ", targets)}");

var with = targets.Select(_ => new List<int>()).ToArray();
var without = targets.Select(_ => new List<int>()).ToArray();
var accWith = new List<double>();
var accWithout = new List<double>();
foreach (var seed in seeds)
{
    foreach (bool aux in new[] { false, true })
    {
        var (epochs, accuracy) = Run(seed, aux);
        for (int t = 0; t < targets.Length; t++) (aux ? with : without)[t].Add(epochs[t]);
        (aux ? accWith : accWithout).Add(accuracy);
        string reached = string.Join(", ", targets.Select((t, k) => $"≤ {t}: " + (epochs[k] > maxEpochs ? "not reached" : $"epoch {epochs[k]}")));
        Console.WriteLine($"seed {seed} {(aux ? "with" : "without")} auxiliary head: main loss {reached}; test accuracy {accuracy:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
    }
}
string PerTarget(List<int>[] runs) => "{" + string.Join(",", targets.Select((t, k) => string.Create(CultureInfo.InvariantCulture,
    $"\"{t:0.0##}\":{{\"mean_epochs\":{runs[k].Average():F2},\"reached\":{runs[k].Count(e => e <= maxEpochs)},\"per_seed\":[{string.Join(",", runs[k])}]}}"))) + "}";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"with_aux\":{PerTarget(with)},\"without_aux\":{PerTarget(without)},\"test_accuracy_with_aux\":{accWith.Average():F4}," +
    $"\"test_accuracy_without_aux\":{accWithout.Average():F4},\"max_epochs\":{maxEpochs},\"depth\":{depth},\"seeds\":{seeds.Length},\"seconds\":{clock.Elapsed.TotalSeconds:F1}}}"));
return 0;

// Trains one variant; returns the epochs it took to reach each target (max + 1 if it never did) and its test accuracy.
(int[] Epochs, double Accuracy) Run(ulong seed, bool aux)
{
    var rng = new Rng(seed);
    var input = FunctionalModel.Input(784);
    var h = input;
    SymbolicTensor? tap = null;
    var sigmoid = new Sigmoid(); // no weights: one module applied after every hidden layer
    for (int layer = 1; layer <= depth; layer++)
    {
        h = sigmoid.Apply(new Dense(layer == 1 ? 784 : width, width, rng).Apply(h));
        if (layer == auxAt) tap = h;
    }
    var main = new Dense(width, 10, rng).Apply(h, "head");
    // Created last, so the trunk and main head start from the same weights with or without it.
    var model = aux
        ? new FunctionalModel([input], [main, new Dense(width, 10, rng).Apply(tap!, "aux")])
        : new FunctionalModel([input], [main]);
    Loss loss = aux ? new MultiOutputLoss([new CrossEntropyLoss(), new CrossEntropyLoss()], [1f, auxWeight]) : new CrossEntropyLoss();
    var stop = new StopAtTargets(aux ? ModelTraining.OutputLossName(0) : "loss", targets);
    var history = model.Fit(new DataLoader(train, 64, shuffle: true, rng: new Rng(seed + 1000)),
        optimizer == "sgd" ? new SGD(model.Parameters(), lr, momentum: 0.9f) : new Adam(model.Parameters(), lr), loss, epochs: maxEpochs, callbacks: [stop]);
    var mainLoss = history[aux ? ModelTraining.OutputLossName(0) : "loss"];
    Console.WriteLine($"  main loss per epoch: {string.Join(" ", mainLoss.Select(l => l.ToString("F3", CultureInfo.InvariantCulture)))}");
    if (aux)
        Console.WriteLine($"  auxiliary loss per epoch: {string.Join(" ", history[ModelTraining.OutputLossName(1)].Select(l => l.ToString("F3", CultureInfo.InvariantCulture)))}");
    double accuracy = model.Evaluate(new DataLoader(test, 1000), null, [new Accuracy()]).Metrics["accuracy"];
    return ([.. stop.ReachedAt.Select(e => e ?? maxEpochs + 1)], accuracy);
}

static string FindData()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "fashion-mnist");
        if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz"))) return Path.GetFullPath(candidate);
    }
    throw new DirectoryNotFoundException("Fashion-MNIST not found as ../shared/data/fashion-mnist above the current directory; pass --data DIR");
}

/// <summary>Records the first epoch whose logged <c>name</c> is at most each target; stops once the last (lowest) is reached.</summary>
sealed class StopAtTargets(string name, float[] targets) : Callback
{
    public int?[] ReachedAt { get; } = new int?[targets.Length];

    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        for (int t = 0; t < targets.Length; t++)
            if (ReachedAt[t] is null && logs[name] <= targets[t]) ReachedAt[t] = epoch + 1;
        if (ReachedAt[^1] is not null) RequireContext().StopTraining = true;
    }
}
