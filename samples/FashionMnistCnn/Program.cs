// Trains a small CNN on Fashion-MNIST and prints test accuracy and seconds per epoch.
// Usage: dotnet run -c Release --project samples/FashionMnistCnn -- [--epochs 5] [--threads 2] [--limit 60000] [--data DIR]
using System.Diagnostics;
using FashionMnistCnn;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

int epochs = 5, threads = Environment.ProcessorCount, limit = int.MaxValue, batch = 128;
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
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
WorkerPool.MaxThreads = threads;
dataDir ??= FindData();
var trainX = Idx.ReadImages(Path.Combine(dataDir, "train-images-idx3-ubyte.gz"), out int trainCount, out _, out _);
var trainY = Idx.ReadLabels(Path.Combine(dataDir, "train-labels-idx1-ubyte.gz"));
var testX = Idx.ReadImages(Path.Combine(dataDir, "t10k-images-idx3-ubyte.gz"), out int testCount, out _, out _);
var testY = Idx.ReadLabels(Path.Combine(dataDir, "t10k-labels-idx1-ubyte.gz"));
trainCount = Math.Min(trainCount, limit);
Console.WriteLine($"Fashion-MNIST: {trainCount} training, {testCount} test images; {threads} thread(s), batch {batch}");

var rng = new Rng(42);
var model = new Cnn(rng);
var parameters = model.Parameters().ToList();
var adam = new InlineAdam(parameters, 1e-3f);
var order = Enumerable.Range(0, trainCount).ToArray();
const int Pixels = 28 * 28;
for (int epoch = 1; epoch <= epochs; epoch++)
{
    rng.Shuffle(order.AsSpan());
    var clock = Stopwatch.StartNew();
    double lossSum = 0;
    int steps = 0;
    for (int start = 0; start < trainCount; start += batch)
    {
        int b = Math.Min(batch, trainCount - start);
        using (TensorScope.Begin())
        {
            var x = Tensor.Zeros(b, 1, 28, 28);
            var t = Tensor.Zeros(b, 1);
            var xs = x.AsSpan();
            var ts = t.AsSpan();
            for (int i = 0; i < b; i++)
            {
                int k = order[start + i];
                trainX.AsSpan(k * Pixels, Pixels).CopyTo(xs.Slice(i * Pixels, Pixels));
                ts[i] = trainY[k];
            }
            var loss = -model.Forward(x).LogSoftmax(1).Gather(1, t).Mean();
            model.ZeroGrad();
            loss.Backward();
            adam.Step();
            lossSum += loss.Item();
            steps++;
        }
    }
    double seconds = clock.Elapsed.TotalSeconds;
    double accuracy = Evaluate(model, testX, testY, testCount);
    Console.WriteLine($"epoch {epoch}: loss {lossSum / steps:F4}, test accuracy {accuracy:F4}, {seconds:F1} s");
}
return 0;

static double Evaluate(Cnn model, float[] images, byte[] labels, int count)
{
    int correct = 0;
    const int Chunk = 500;
    using var noGrad = GradMode.NoGrad();
    for (int start = 0; start < count; start += Chunk)
    {
        int b = Math.Min(Chunk, count - start);
        using (TensorScope.Begin())
        {
            var x = Tensor.Zeros(b, 1, 28, 28);
            images.AsSpan(start * Pixels, b * Pixels).CopyTo(x.AsSpan());
            var predicted = model.Forward(x).ArgMax(1).ToArray();
            for (int i = 0; i < b; i++) if ((int)predicted[i] == labels[start + i]) correct++;
        }
    }
    return (double)correct / count;
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
