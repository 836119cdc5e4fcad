// Transfer learning on Fashion-MNIST: a CNN trained on classes 0–4 loses its head, its base is frozen,
// and a new head learns classes 5–9 from only 50 labelled images per class; the same CNN trained from
// scratch on those 250 images is the baseline. Test accuracy on the 5,000 test images of classes 5–9.
// Usage: dotnet run -c Release --project samples/TransferLearning -- [--seeds 42,1,2] [--source-epochs 2]
//        [--epochs 40] [--per-class 50] [--threads 2] [--data DIR]
// The last line is one JSON object: transfer_accuracy (frozen base), finetuned_accuracy (then the base
// unfrozen at a tenth of the rate), pretrained_init_accuracy (the source network with a new head, every layer
// trained with the scratch recipe: the source weights used only as the starting point) and scratch_accuracy,
// means over the seeds; seconds.
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

int sourceEpochs = 2, epochs = 40, perClass = 50, threads = Environment.ProcessorCount;
ulong[] seeds = [42, 1, 2];
string? dataDir = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--seeds": seeds = [.. args[i + 1].Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture))]; break;
        case "--source-epochs": sourceEpochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--per-class": perClass = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--data": dataDir = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
WorkerPool.MaxThreads = threads;
dataDir ??= FindData();
string F(string name) => Path.Combine(dataDir, name);
var train = IdxImages.Load(F("train-images-idx3-ubyte.gz"), F("train-labels-idx1-ubyte.gz"), flatten: false);
var test = IdxImages.Load(F("t10k-images-idx3-ubyte.gz"), F("t10k-labels-idx1-ubyte.gz"), flatten: false);
var clock = Stopwatch.StartNew();

// Source task: every training image of classes 0–4. Target test: every test image of classes 5–9, labelled 0–4.
var source = Select(train, Enumerable.Range(0, train.Count).Where(i => train.Label(i) < 5).ToArray(), 0);
var targetTest = Select(test, Enumerable.Range(0, test.Count).Where(i => test.Label(i) >= 5).ToArray(), 5);
Console.WriteLine($"source: {source.Count} images of classes 0–4; target: {perClass} per class of 5–9, tested on {targetTest.Count}");

var transfer = new List<double>();
var fineTuned = new List<double>();
var scratch = new List<double>();
var pretrainedInit = new List<double>();
foreach (var seed in seeds)
{
    var rng = new Rng(seed);
    // The target's few labels: the first perClass images of each class 5–9 in a seeded order.
    var order = Enumerable.Range(0, train.Count).ToArray();
    rng.Shuffle(order.AsSpan());
    var picked = Enumerable.Range(5, 5).SelectMany(c => order.Where(i => train.Label(i) == c).Take(perClass)).ToArray();
    var targetTrain = Select(train, picked, 5);

    var pretrained = Cnn(rng);
    pretrained.Fit(new DataLoader(source, 128, shuffle: true, rng: rng), new Adam(pretrained.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: sourceEpochs);
    var sourceWeights = pretrained.StateDict().ToDictionary(e => e.Key, e => Tensor.FromArray(e.Value.ToArray(), e.Value.Shape.ToArray()));

    // Transfer: keep everything but the old head, frozen, and train a new head on the 250 images.
    var model = new Sequential(pretrained[..^1].Freeze(), new Dense(128, 5, rng));
    model.Fit(new DataLoader(targetTrain, 25, shuffle: true, rng: rng), new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: epochs);
    double t = Accuracy(model, targetTest);
    // Then fine-tuning: the base unfrozen and trained 10× slower than the head (two parameter groups).
    model[0].Unfreeze();
    var groups = new[] { new ParameterGroup(model[0].Parameters(), lr: 1e-4f), new ParameterGroup(model[1].Parameters()) };
    model.Fit(new DataLoader(targetTrain, 25, shuffle: true, rng: rng), new Adam(groups, 1e-3f), new CrossEntropyLoss(), epochs: epochs / 2);
    double ft = Accuracy(model, targetTest);

    var baseline = Cnn(rng);
    baseline.Fit(new DataLoader(targetTrain, 25, shuffle: true, rng: rng), new Adam(baseline.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: epochs);
    double s = Accuracy(baseline, targetTest);
    // Pretrained initialization: the source network, a new head, everything trained as the scratch baseline is.
    var initRng = new Rng(seed + 7);
    var source2 = Cnn(initRng);
    source2.LoadStateDict(sourceWeights);
    var initialized = new Sequential(source2[..^1], new Dense(128, 5, initRng));
    initialized.Fit(new DataLoader(targetTrain, 25, shuffle: true, rng: initRng), new Adam(initialized.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: epochs);
    double pi = Accuracy(initialized, targetTest);
    pretrainedInit.Add(pi);
    transfer.Add(t);
    fineTuned.Add(ft);
    scratch.Add(s);
    Console.WriteLine($"seed {seed}: transfer {t:F4}, fine-tuned {ft:F4}, pretrained init {pi:F4}, scratch {s:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"transfer_accuracy\":{transfer.Average():F4},\"finetuned_accuracy\":{fineTuned.Average():F4},\"pretrained_init_accuracy\":{pretrainedInit.Average():F4},\"scratch_accuracy\":{scratch.Average():F4},\"seeds\":{seeds.Length},\"labelled_per_class\":{perClass},\"seconds\":{clock.Elapsed.TotalSeconds:F1}}}"));
return 0;

static Sequential Cnn(Rng rng) => new(
    new Conv2d(1, 16, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
    new Conv2d(16, 32, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dense(1568, 128, rng), new ReLU(), new Dense(128, 5, rng));

static double Accuracy(Module model, Dataset data) =>
    model.Evaluate(new DataLoader(data, 500), null, [new Accuracy()]).Metrics["accuracy"];

// The images at indices as a tensor data set, labels shifted down by offset (classes 5–9 → 0–4).
static Dataset Select(ImageDataset images, int[] indices, int offset)
{
    var batch = images.Gather(indices);
    var y = batch.Targets.AsSpan();
    for (int i = 0; i < y.Length; i++) y[i] -= offset;
    return new Dataset(batch.Inputs, batch.Targets);
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
