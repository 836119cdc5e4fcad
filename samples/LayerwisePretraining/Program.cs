// Layer-wise pre-training on Fashion-MNIST with few labels: a 4-hidden-layer MLP is pre-trained greedily,
// one layer at a time as an autoencoder, on the training images without labels, then fine-tuned on 1,000
// labelled images; the same MLP trained from scratch on those 1,000 images is the baseline (test accuracy, 10,000 images).
// Usage: dotnet run -c Release --project samples/LayerwisePretraining -- [--seeds 42,1,2] [--pretrain-epochs 2]
//        [--epochs 30] [--labelled 1000] [--threads 2] [--data DIR]
// The last line is one JSON object: pretrained_accuracy and scratch_accuracy (means over the seeds), seconds.
using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

int pretrainEpochs = 2, epochs = 30, labelled = 1000, threads = Environment.ProcessorCount;
ulong[] seeds = [42, 1, 2];
string? dataDir = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--seeds": seeds = [.. args[i + 1].Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture))]; break;
        case "--pretrain-epochs": pretrainEpochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--labelled": labelled = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--data": dataDir = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
WorkerPool.MaxThreads = threads;
dataDir ??= FindData();
string F(string name) => Path.Combine(dataDir, name);
var train = IdxImages.Load(F("train-images-idx3-ubyte.gz"), F("train-labels-idx1-ubyte.gz"));
var test = IdxImages.Load(F("t10k-images-idx3-ubyte.gz"), F("t10k-labels-idx1-ubyte.gz"));
var testSet = test.Gather([.. Enumerable.Range(0, test.Count)]);
var clock = Stopwatch.StartNew();
var pretrained = new List<double>();
var scratch = new List<double>();
foreach (var seed in seeds)
{
    var rng = new Rng(seed);
    var order = Enumerable.Range(0, train.Count).ToArray();
    rng.Shuffle(order.AsSpan());
    var labelledSet = train.Gather(order.AsSpan(0, labelled));          // the only labels used
    var unlabelled = train.Gather(order.AsSpan(labelled)).Inputs;        // the rest, images only

    var model = Mlp(rng);
    var histories = LayerwisePretraining.Pretrain(model, unlabelled, p => new Adam(p, 1e-3f), pretrainEpochs, rng, batchSize: 128);
    model.Fit(labelledSet.Inputs, labelledSet.Targets, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs, batchSize: 32, rng: rng);
    double p = Accuracy(model);

    var baseline = Mlp(rng);
    baseline.Fit(labelledSet.Inputs, labelledSet.Targets, new Adam(baseline.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs, batchSize: 32, rng: rng);
    double s = Accuracy(baseline);
    pretrained.Add(p);
    scratch.Add(s);
    Console.WriteLine($"seed {seed}: reconstruction losses {string.Join(", ", histories.Select(h => h.Loss[^1].ToString("F4", CultureInfo.InvariantCulture)))}; " +
        $"pre-trained {p:F4}, scratch {s:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"pretrained_accuracy\":{pretrained.Average():F4},\"scratch_accuracy\":{scratch.Average():F4},\"seeds\":{seeds.Length},\"labelled\":{labelled},\"seconds\":{clock.Elapsed.TotalSeconds:F1}}}"));
return 0;

static Sequential Mlp(Rng rng) => new(
    new Dense(784, 256, rng), new ReLU(), new Dense(256, 128, rng), new ReLU(),
    new Dense(128, 64, rng), new ReLU(), new Dense(64, 32, rng), new ReLU(), new Dense(32, 10, rng));

double Accuracy(Module model) => model.Evaluate(testSet.Inputs, testSet.Targets, null, [new Accuracy()]).Metrics["accuracy"];

static string FindData()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "fashion-mnist");
        if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz"))) return Path.GetFullPath(candidate);
    }
    throw new DirectoryNotFoundException("Fashion-MNIST not found as ../shared/data/fashion-mnist above the current directory; pass --data DIR");
}
