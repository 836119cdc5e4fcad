// A DCGAN on Fashion-MNIST, measured rather than eyeballed: a CNN classifier trained on the real
// images judges 10,000 generated ones (class coverage, confidence, Fréchet distance of its features).
// Usage: dotnet run -c Release --project samples/FashionGan -- [--epochs 5] [--judge-epochs 2] [--limit 60000]
//        [--samples 10000] [--threads 2] [--seed 42] [--data DIR] [--out fashion-gan.png]
// The last line is one JSON object with the headline figures. The PyTorch twin is bench/peers/fashion-gan.py.
using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.IO;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

int epochs = 5, judgeEpochs = 2, samples = 10_000, threads = Environment.ProcessorCount, batch = 64;
const int NoiseSize = 64;
ulong seed = 42;
int? limit = null;
string? dataDir = null;
string output = "fashion-gan.png";
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--judge-epochs": judgeEpochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--samples": samples = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--limit": limit = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = ulong.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--data": dataDir = args[i + 1]; break;
        case "--out": output = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
WorkerPool.MaxThreads = threads;
dataDir ??= FindData();
string F(string name) => Path.Combine(dataDir, name);
var train = IdxImages.Load(F("train-images-idx3-ubyte.gz"), F("train-labels-idx1-ubyte.gz"), flatten: false, limit: limit);
var test = IdxImages.Load(F("t10k-images-idx3-ubyte.gz"), F("t10k-labels-idx1-ubyte.gz"), flatten: false);
Console.WriteLine($"Fashion-MNIST: {train.Count} training, {test.Count} test images; {threads} thread(s), batch {batch}");
var clock = Stopwatch.StartNew();
var rng = new Rng(seed);

// The judge: a small CNN classifier of the real images, pixels in [0, 1].
var judge = new Sequential(
    new Conv2d(1, 16, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
    new Conv2d(16, 32, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dense(1568, 128, rng), new ReLU(), new Dense(128, 10, rng));
judge.Fit(new DataLoader(train, 128, shuffle: true, rng: rng), new Adam(judge.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: judgeEpochs);
double judgeAccuracy = judge.Evaluate(new DataLoader(test, 500), null, [new Accuracy()]).Metrics["accuracy"];
Console.WriteLine($"judge: test accuracy {judgeAccuracy:F4} after {judgeEpochs} epoch(s), {clock.Elapsed.TotalSeconds:F0} s");

// DCGAN (Radford et al. 2016) at Fashion-MNIST's size; images in [−1, 1].
var project = new Sequential(new Dense(NoiseSize, 64 * 7 * 7, rng), new BatchNorm1d(64 * 7 * 7), new ReLU());
var upsample = new Sequential(
    new ConvTranspose2d(64, 32, 4, rng, stride: 2, padding: 1), new BatchNorm2d(32), new ReLU(),   // 7×7 → 14×14
    new ConvTranspose2d(32, 1, 4, rng, stride: 2, padding: 1), new Tanh());                        // 14×14 → 28×28
var generator = new Sequential(project, upsample);
Tensor Generate(Tensor z) => upsample.Forward(project.Forward(z).Reshape(z.Shape[0], 64, 7, 7));
var discriminator = new Sequential(
    new Conv2d(1, 32, 4, rng, stride: 2, padding: 1), new LeakyReLU(0.2f),                         // 28×28 → 14×14
    new Conv2d(32, 64, 4, rng, stride: 2, padding: 1), new BatchNorm2d(64), new LeakyReLU(0.2f),    // → 7×7
    new Flatten(), new Dense(64 * 7 * 7, 1, rng));
var optG = new Adam(generator.Parameters(), 2e-4f, beta1: 0.5f);
var optD = new Adam(discriminator.Parameters(), 2e-4f, beta1: 0.5f);
var bce = new BCEWithLogitsLoss();

var all = Enumerable.Range(0, train.Count).ToArray();
var real = train.Gather(all).Inputs;
var pixels = real.AsSpan();
for (int i = 0; i < pixels.Length; i++) pixels[i] = 2 * pixels[i] - 1;
var loader = new DataLoader(new Dataset(real, real), batch, shuffle: true, rng: rng, dropLast: true);
var ones = Tensor.Full(new Shape(batch, 1), 1f);
var zeros = Tensor.Full(new Shape(batch, 1), 0f);
generator.Train();
discriminator.Train();
for (int epoch = 0; epoch < epochs; epoch++)
{
    loader.StartEpoch();
    double lossD = 0, lossG = 0;
    for (int b = 0; b < loader.BatchCount; b++)
    {
        using var scope = TensorScope.Begin();
        var x = loader.GetBatch(b).Inputs;
        var fake = Generate(Tensor.Randn(new Shape(batch, NoiseSize), rng));
        // Discriminator step: real → 1, generated → 0; Detach keeps this step out of the generator.
        optD.ZeroGrad();
        var dLoss = bce.Forward(discriminator.Forward(x), ones) + bce.Forward(discriminator.Forward(fake.Detach()), zeros);
        dLoss.Backward();
        optD.Step();
        // Generator step, non-saturating: maximize log D(G(z)) as minimizing BCE(D(G(z)), 1).
        optG.ZeroGrad();
        var gLoss = bce.Forward(discriminator.Forward(fake), ones);
        gLoss.Backward();
        optG.Step();
        lossD += dLoss.Item();
        lossG += gLoss.Item();
    }
    Console.WriteLine($"epoch {epoch + 1}/{epochs}: D loss {lossD / loader.BatchCount:F4}, G loss {lossG / loader.BatchCount:F4}, {clock.Elapsed.TotalSeconds:F0} s");
}

// 10,000 generated images in evaluation mode, mapped to the judge's [0, 1].
generator.Eval();
var generated = Tensor.Zeros(samples, 1, 28, 28);
using (GradMode.NoGrad())
{
    for (int start = 0; start < samples; start += 500)
    {
        using var scope = TensorScope.Begin();
        int n = Math.Min(500, samples - start);
        var images = Generate(Tensor.Randn(new Shape(n, NoiseSize), rng)).ToArray();
        var target = generated.AsSpan().Slice(start * 784, n * 784);
        for (int i = 0; i < target.Length; i++) target[i] = (images[i] + 1) / 2;
    }
}
ImageGrid.Save(output, Tensor.FromArray(generated.AsSpan()[..(100 * 784)].ToArray(), 100, 1, 28, 28), columns: 10);
var testImages = test.Gather(Enumerable.Range(0, test.Count).ToArray()).Inputs;
var quality = GenerativeQuality.Measure(judge, generated, testImages);
// The floor for the Fréchet distance: real training images against the real test images.
var reference = GenerativeQuality.Measure(judge, train.Gather(all[..Math.Min(samples, train.Count)]).Inputs, testImages);
double seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"class shares: {string.Join(" ", quality.ClassShares.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))}; grid written to {output}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"class_coverage\":{quality.ClassCoverage},\"confidence\":{quality.Confidence:F4},\"frechet_distance\":{quality.FrechetDistance:F3},\"real_frechet_distance\":{reference.FrechetDistance:F3},\"judge_accuracy\":{judgeAccuracy:F4},\"epochs\":{epochs},\"seconds\":{seconds:F1}}}"));
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
