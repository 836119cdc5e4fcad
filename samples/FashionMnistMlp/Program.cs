// Fashion-MNIST with a 784-256-128-10 ReLU MLP, Adam 1e-3, batch 128, 10 epochs on all 60,000
// training images; prints the accuracy on the 10,000 test images.
// Usage: dotnet run -c Release --project samples/FashionMnistMlp [data-dir]
// (data-dir holds the four IDX .gz files; default ../shared/data/fashion-mnist from the repository root).
using System.Diagnostics;
using Nabla.Autograd;
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
model.Fit(new DataLoader(train, 128, shuffle: true, rng: rng), new SampleAdam(model.Parameters(), 1e-3f), new SampleCrossEntropy(),
    epochs: 10, metrics: [new Accuracy()], callbacks: [progress]);
var result = model.Evaluate(new DataLoader(test, 1000), new SampleCrossEntropy(), [new Accuracy()]);
Console.WriteLine($"test accuracy {result.Metrics["accuracy"]:F4}, test loss {result.Loss:F4}, total {sw.Elapsed.TotalSeconds:F1} s");

/// <summary>Softmax cross-entropy of logits against class indices (until Optim's losses are merged).</summary>
internal sealed class SampleCrossEntropy : Loss
{
    public override Tensor Forward(Tensor prediction, Tensor target) =>
        -prediction.LogSoftmax(-1).Gather(1, target.Reshape(target.Numel, 1)).Mean();
}

/// <summary>Adam (β = 0.9, 0.999, ε = 1e-8) with bias correction (until Optim's Adam is merged).</summary>
internal sealed class SampleAdam(IEnumerable<Tensor> parameters, float lr) : Optimizer(parameters, lr)
{
    private readonly Dictionary<Tensor, (float[] M, float[] V)> _state = [];

    public override void Step()
    {
        StepCount++;
        float c1 = 1 - MathF.Pow(0.9f, StepCount), c2 = 1 - MathF.Pow(0.999f, StepCount);
        foreach (var p in Parameters)
        {
            if (p.Grad is null) continue;
            if (!_state.TryGetValue(p, out var s)) _state[p] = s = (new float[p.Numel], new float[p.Numel]);
            var w = p.AsSpan();
            var g = p.Grad.AsSpan();
            for (int i = 0; i < w.Length; i++)
            {
                s.M[i] = 0.9f * s.M[i] + 0.1f * g[i];
                s.V[i] = 0.999f * s.V[i] + 0.001f * g[i] * g[i];
                w[i] -= LearningRate * (s.M[i] / c1) / (MathF.Sqrt(s.V[i] / c2) + 1e-8f);
            }
        }
    }

    public override IReadOnlyDictionary<string, Tensor> StateDict() => new Dictionary<string, Tensor>();

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) { }
}
