// Word segmentation as sequence labelling on real text: the spaces of each Debian package description are
// removed and a character BiLSTM tagger learns, for every character, whether a space followed it.
// Usage: dotnet run -c Release --project samples/WordSegmentation -- [--epochs 4] [--threads 2] [--limit N]
//        [--batch-size 32] [--embedding 32] [--hidden 64] [--lr 0.003] [--seed 1] [--data PATH]
// The last line is JSON: {"boundary_f1":…,"seconds":…,"samples_per_second":…}. PyTorch twin: bench/peers/word-segmentation.py.
using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training.Metrics;
using WordSegmentation;

int epochs = 4, threads = Environment.ProcessorCount, batchSize = 32, embedding = 32, hidden = 64, limit = 0;
float lr = 3e-3f;
ulong seed = 1;
string? data = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    string v = args[i + 1];
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--batch-size": batchSize = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--embedding": embedding = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--hidden": hidden = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--lr": lr = float.Parse(v, CultureInfo.InvariantCulture); break;
        case "--seed": seed = ulong.Parse(v, CultureInfo.InvariantCulture); break;
        case "--limit": limit = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--data": data = v; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
WorkerPool.MaxThreads = threads;
data ??= FindData();

var (train, test) = SegmentationData.Load(data, seed, limit);
var vocabulary = SegmentationData.Vocabulary(train);
var trainBatches = SegmentationData.Batches(train, vocabulary, batchSize);
var testBatches = SegmentationData.Batches(test, vocabulary, 256);
Console.WriteLine($"{train.Count} training and {test.Count} test descriptions, {vocabulary.Count + 2} character ids, " +
                  $"{trainBatches.Sum(b => b.Tokens)} training characters; {threads} thread(s)");

// Embedding → BiLSTM over each row's own length (taken from the zero padding vectors) → per-character classes.
var rng = new Rng(seed);
var model = new Sequential(
    new Embedding(vocabulary.Count + 2, embedding, rng, paddingIdx: 0),
    new LSTM(embedding, hidden, rng, bidirectional: true, returns: RecurrentReturn.Sequence, maskPadding: true),
    new Dense(2 * hidden, 2, rng));
var optimizer = new Adam(model.Parameters(), lr);
var loss = new CrossEntropyLoss();   // ignoreIndex −100: padding positions count for nothing
var shuffle = new Rng(seed + 1);
var order = Enumerable.Range(0, trainBatches.Count).ToArray();

// Process CPU seconds are printed beside wall seconds: on a shared machine they show how much of the
// wall time the process actually ran.
var process = Process.GetCurrentProcess();
var cpuAtStart = process.TotalProcessorTime;
double CpuSeconds()
{
    process.Refresh();
    return (process.TotalProcessorTime - cpuAtStart).TotalSeconds;
}
var clock = Stopwatch.StartNew();
for (int epoch = 0; epoch < epochs; epoch++)
{
    shuffle.Shuffle(order.AsSpan());
    double total = 0;
    int tokens = 0;
    foreach (int b in order)
    {
        var batch = trainBatches[b];
        using (TensorScope.Begin("training step"))
        {
            var logits = model.Forward(batch.Ids);                                    // [N, T, 2]
            var l = loss.Forward(logits.Reshape(-1, 2), batch.Labels.Reshape(-1));
            l.Backward();
            total += l.Item() * batch.Tokens;
        }
        optimizer.Step();
        optimizer.ZeroGrad();
        tokens += batch.Tokens;
    }
    Console.WriteLine($"epoch {epoch + 1}/{epochs}: loss {total / tokens:F4}, {clock.Elapsed.TotalSeconds:F1} s ({CpuSeconds():F1} s CPU)");
}
double trainSeconds = clock.Elapsed.TotalSeconds;

model.Eval();
var f1 = new TokenF1(positiveClass: 1);
var accuracy = new TokenAccuracy();
using (GradMode.NoGrad())
{
    foreach (var batch in testBatches)
    {
        using var scope = TensorScope.Begin("evaluation");
        var logits = model.Forward(batch.Ids);
        f1.Update(logits, batch.Labels);
        accuracy.Update(logits, batch.Labels);
    }
}
double seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"test: boundary precision {f1.Precision:F4}, recall {f1.Recall:F4}, F1 {f1.Result:F4}; character accuracy {accuracy.Result:F4}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"boundary_f1\":{f1.Result:F4},\"seconds\":{seconds:F1},\"samples_per_second\":{train.Count * epochs / trainSeconds:F1},\"cpu_seconds\":{CpuSeconds():F1}}}"));
return 0;

static string FindData()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "debian-packages.tsv.gz");
        if (File.Exists(candidate)) return Path.GetFullPath(candidate);
    }
    throw new FileNotFoundException("debian-packages.tsv.gz not found as ../shared/data/ above the current directory; pass --data PATH");
}
