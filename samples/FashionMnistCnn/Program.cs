// Trains a LeNet-style CNN on Fashion-MNIST and prints test accuracy and seconds per epoch.
// Usage: dotnet run -c Release --project samples/FashionMnistCnn -- [--epochs 5] [--threads 2] [--limit 60000] [--data DIR]
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

int epochs = 5, threads = Environment.ProcessorCount, batch = 128;
ulong seed = 42;
int? limit = null;
string? dataDir = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[i + 1]); break;
        case "--threads": threads = int.Parse(args[i + 1]); break;
        case "--limit": limit = int.Parse(args[i + 1]); break;
        case "--batch": batch = int.Parse(args[i + 1]); break;
        case "--data": dataDir = args[i + 1]; break;
        case "--seed": seed = ulong.Parse(args[i + 1]); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
WorkerPool.MaxThreads = threads;
dataDir ??= FindData();
string F(string name) => Path.Combine(dataDir, name);
var train = IdxImages.Load(F("train-images-idx3-ubyte.gz"), F("train-labels-idx1-ubyte.gz"), flatten: false, limit: limit);
var test = IdxImages.Load(F("t10k-images-idx3-ubyte.gz"), F("t10k-labels-idx1-ubyte.gz"), flatten: false);
Console.WriteLine($"Fashion-MNIST: {train.Count} training, {test.Count} test images; {threads} thread(s), batch {batch}");

var rng = new Rng(seed);
var model = new Sequential(
    new Conv2d(1, 32, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
    new Conv2d(32, 64, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dense(3136, 128, rng), new ReLU(), new Dense(128, 10, rng));
// Process CPU seconds per epoch are printed beside wall seconds: on a shared machine they show
// how much of the wall time the process actually ran.
var process = System.Diagnostics.Process.GetCurrentProcess();
var cpuAtEpochStart = process.TotalProcessorTime;
var progress = new ProgressCallback();
progress.EpochEnd += (logs, total) =>
{
    process.Refresh();
    double cpu = (process.TotalProcessorTime - cpuAtEpochStart).TotalSeconds;
    cpuAtEpochStart = process.TotalProcessorTime;
    Console.WriteLine($"epoch {logs.Epoch + 1}/{total}: loss {logs.Loss:F4}, train accuracy {logs["accuracy"]:F4}, {logs.Seconds:F1} s ({cpu:F1} s CPU)");
};

model.Fit(new DataLoader(train, batch, shuffle: true, rng: rng), new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(),
    epochs: epochs, metrics: [new Accuracy()], callbacks: [progress]);
var result = model.Evaluate(new DataLoader(test, 500), new CrossEntropyLoss(), [new Accuracy()]);
Console.WriteLine($"test accuracy {result.Metrics["accuracy"]:F4}, test loss {result.Loss:F4}");
return 0;

static string FindData()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "fashion-mnist");
        if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz"))) return Path.GetFullPath(candidate);
    }
    throw new DirectoryNotFoundException("Fashion-MNIST not found as ../shared/data/fashion-mnist above the current directory; pass --data DIR");
}
