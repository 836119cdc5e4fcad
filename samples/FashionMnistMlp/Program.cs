// Fashion-MNIST with a 784-256-128-10 ReLU MLP, Adam 1e-3, batch 128, 10 epochs on all 60,000
// training images; prints the accuracy on the 10,000 test images.
// Usage: dotnet run -c Release --project samples/FashionMnistMlp [data-dir]
// (data-dir holds the four IDX .gz files; default ../shared/data/fashion-mnist from the repository root).
using System.Diagnostics;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

string dir = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "fashion-mnist");
string F(string name) => Path.Combine(dir, name);
var train = IdxImages.Load(F("train-images-idx3-ubyte.gz"), F("train-labels-idx1-ubyte.gz"));
var test = IdxImages.Load(F("t10k-images-idx3-ubyte.gz"), F("t10k-labels-idx1-ubyte.gz"));

var rng = new Rng(2024);
var model = new Sequential(new Dense(784, 256, rng), new ReLU(), new Dense(256, 128, rng), new ReLU(), new Dense(128, 10, rng));
var progress = new ProgressCallback();
progress.EpochEnd += (logs, epochs) =>
    Console.WriteLine($"epoch {logs.Epoch + 1}/{epochs}: loss {logs.Loss:F4}, accuracy {logs["accuracy"]:F4}, {logs.Seconds:F1} s");

var sw = Stopwatch.StartNew();
model.Fit(new DataLoader(train, 128, shuffle: true, rng: rng), new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(),
    epochs: 10, metrics: [new Accuracy()], callbacks: [progress]);
var result = model.Evaluate(new DataLoader(test, 1000), new CrossEntropyLoss(), [new Accuracy()]);
Console.WriteLine($"test accuracy {result.Metrics["accuracy"]:F4}, test loss {result.Loss:F4}, total {sw.Elapsed.TotalSeconds:F1} s");
