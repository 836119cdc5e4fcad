// A character-level transformer language model on the one-line descriptions of Debian's packages: trains a
// small decoder-only transformer, reports test perplexity, and prints generated descriptions (sampled with
// temperature and top-k, and greedy completions of prompts) decoded with the key/value cache.
// Twin: bench/peers/char-lm.py trains the same model on the same split in PyTorch.
// Usage: dotnet run -c Release --project samples/CharLanguageModel -- [--epochs 3] [--threads 2] [--seed 42] [--data FILE]
//        [--limit N]   (train on the first N training rows only, for a quick look)
//        [--warmup 200] (learning-rate warm-up steps, then linear decay to a tenth at the last step)
// The last line is JSON: {"test_perplexity":…,"seconds":…,…}.
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Samples;
using Nabla.Tensors;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int epochs = 3, threads = Environment.ProcessorCount, limit = int.MaxValue, warmup = 200;
ulong seed = 42;
string? dataFile = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[i + 1]); break;
        case "--threads": threads = int.Parse(args[i + 1]); break;
        case "--seed": seed = ulong.Parse(args[i + 1]); break;
        case "--data": dataFile = args[i + 1]; break;
        case "--limit": limit = int.Parse(args[i + 1]); break;
        case "--warmup": warmup = int.Parse(args[i + 1]); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
WorkerPool.MaxThreads = threads;
var clock = Stopwatch.StartNew();
// Process CPU seconds beside wall seconds: on a shared machine they show how much of the wall time the process ran.
var process = Process.GetCurrentProcess();
var cpuMark = process.TotalProcessorTime;
double CpuSince()
{
    process.Refresh();
    double s = (process.TotalProcessorTime - cpuMark).TotalSeconds;
    cpuMark = process.TotalProcessorTime;
    return s;
}
const int MaxTokens = 96, BatchSize = 64, Chunk = 64 * 32;

// Rows whose seeded hash of the package name ends in 0 (base 10) are the test set: the PyTorch twin
// computes the same split without sharing a random generator.
var rows = ReadDescriptions(dataFile ?? FindData());
var train = rows.Where(r => !IsTest(r.Package)).Select(r => r.Description).Take(limit).ToList();
var test = rows.Where(r => IsTest(r.Package)).Select(r => r.Description).ToList();
var vocab = new CharVocabulary(train, minCount: 5);
int[] Tokens(string text) => [CharVocabulary.Start, .. vocab.EncodeLenient(text).Take(MaxTokens - 2), CharVocabulary.End];
var trainTokens = train.Select(Tokens).ToList();
var testTokens = test.Select(Tokens).ToList();
Console.WriteLine($"{train.Count} training and {test.Count} test descriptions ({trainTokens.Sum(t => t.Length - 1):N0} and {testTokens.Sum(t => t.Length - 1):N0} next-character targets); " +
                  $"{vocab.Count} tokens (characters seen at least 5 times, others one rare token); {threads} thread(s)");

var rng = new Rng(seed);
// The embedding is the one swappable piece: (n, d) => new Embedding(n, d, rng) once Nabla.Nn.Embedding is merged.
var model = new TransformerLanguageModel(vocab.Count, dModel: 128, nhead: 4, numLayers: 3, rng, (n, d) => new Embedding(n, d, rng),
    dimFeedforward: 512, dropout: 0.1f, maxLength: MaxTokens);
Console.WriteLine($"model: {model.Describe()}, 4 heads, feed-forward 512, pre-norm GELU: {model.ParameterCount():N0} parameters");
var weights = Tensor.Ones(vocab.Count);
weights[CharVocabulary.Pad] = 0f;   // padding targets carry no loss: the mean runs over real characters
var loss = new CrossEntropyLoss(weights);
var adam = new Adam(model.Parameters(), 1e-3f);
int stepsPerEpoch = (train.Count + BatchSize - 1) / BatchSize, totalSteps = epochs * stepsPerEpoch, step = 0;
var order = Enumerable.Range(0, train.Count).ToArray();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    model.Train();
    var epochClock = Stopwatch.StartNew();
    double sum = 0;
    var batches = Batches(rng);
    foreach (var batch in batches)
    {
        adam.LearningRate = 1e-3f * (step < warmup ? (step + 1f) / warmup : 1f - 0.9f * (step - warmup) / Math.Max(1, totalSteps - warmup));
        using (TensorScope.Begin("training step"))
        {
            var ids = TokenBatch.Ids(trainTokens, batch);
            int length = ids.Shape[1] - 1;
            var input = ids.Narrow(1, 0, length);
            var targets = ids.Narrow(1, 1, length).Contiguous().Reshape(-1);
            var l = loss.Forward(model.Forward(input).Reshape(-1, vocab.Count), targets);
            l.Backward();
            sum += l.Item();
        }
        adam.Step();
        adam.ZeroGrad();
        step++;
    }
    Console.WriteLine($"epoch {epoch}/{epochs}: train loss {sum / batches.Count:F4} (perplexity {Math.Exp(sum / batches.Count):F3}), {epochClock.Elapsed.TotalSeconds:F0} s ({CpuSince():F0} s CPU)");
}

double perplexity = TestPerplexity();
Console.WriteLine($"test perplexity {perplexity:F4} per character ({Math.Log2(perplexity):F3} bits)");

model.Eval();
var sampler = new Rng(seed + 7);
Console.WriteLine("sampled descriptions (temperature 0.8, top-k 20):");
foreach (var s in Decoding.Sample(model.StartDecoding(6, MaxTokens), [CharVocabulary.Start], MaxTokens - 2, sampler, 0.8f, 20, CharVocabulary.End))
    Console.WriteLine($"  {vocab.Decode(s)}");
Console.WriteLine("greedy completions:");
foreach (var prompt in new[] { "Python 3 library for ", "GNOME ", "Perl module to ", "transitional package for " })
{
    var ids = vocab.Encode(prompt, "prompt");
    var decoder = model.StartDecoding(1, MaxTokens);
    var completion = Decoding.Sample(decoder, [CharVocabulary.Start, .. ids], MaxTokens - 1 - ids.Length, sampler, temperature: 1f, topK: 1, CharVocabulary.End)[0];
    Console.WriteLine($"  {prompt}|{vocab.Decode(completion)}");
}
double seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"test_perplexity\":{perplexity:F4},\"seconds\":{seconds:F1},\"epochs\":{epochs},\"train_rows\":{train.Count},\"test_rows\":{test.Count},\"parameters\":{model.ParameterCount()},\"threads\":{threads},\"steps\":{step},\"warmup\":{warmup}}}"));
return 0;

bool IsTest(string package)
{
    // FNV-1a (32 bit) of "seed:package" in UTF-8.
    uint h = 2166136261;
    foreach (byte b in Encoding.UTF8.GetBytes($"{seed}:{package}")) h = (h ^ b) * 16777619;
    return h % 10 == 0;
}

// Shuffled, then sorted by length within chunks of 32 batches so a batch pads little, then the batches shuffled.
List<int[]> Batches(Rng r)
{
    r.Shuffle(order.AsSpan());
    var list = new List<int[]>();
    for (int c = 0; c < order.Length; c += Chunk)
    {
        var chunk = order.AsSpan(c, Math.Min(Chunk, order.Length - c)).ToArray();
        Array.Sort(chunk.Select(i => trainTokens[i].Length).ToArray(), chunk);
        for (int b = 0; b < chunk.Length; b += BatchSize) list.Add(chunk[b..Math.Min(chunk.Length, b + BatchSize)]);
    }
    var batchArray = list.ToArray();
    r.Shuffle(batchArray.AsSpan());
    return [.. batchArray];
}

// exp(mean negative log-likelihood of every next character of the test set, end tokens included).
double TestPerplexity()
{
    model.Eval();
    var sumLoss = new CrossEntropyLoss(weights, Reduction.Sum);
    var byLength = Enumerable.Range(0, testTokens.Count).OrderBy(i => testTokens[i].Length).ToArray();
    double nll = 0;
    long count = 0;
    for (int b = 0; b < byLength.Length; b += 256)
    {
        var batch = byLength.AsSpan(b, Math.Min(256, byLength.Length - b));
        using var scope = TensorScope.Begin("evaluation");
        using var noGrad = GradMode.NoGrad();
        var ids = TokenBatch.Ids(testTokens, batch);
        int length = ids.Shape[1] - 1;
        var targets = ids.Narrow(1, 1, length).Contiguous().Reshape(-1);
        nll += sumLoss.Forward(model.Forward(ids.Narrow(1, 0, length)).Reshape(-1, vocab.Count), targets).Item();
        foreach (int i in batch) count += testTokens[i].Length - 1;
    }
    return Math.Exp(nll / count);
}

static List<(string Package, string Description)> ReadDescriptions(string path)
{
    using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), Encoding.UTF8);
    var header = reader.ReadLine()?.Split('\t') ?? throw new InvalidDataException($"{path}: empty file");
    int package = Array.IndexOf(header, "package"), description = Array.IndexOf(header, "description");
    if (package < 0 || description < 0) throw new InvalidDataException($"{path}: no 'package' and 'description' columns in the header");
    var rows = new List<(string, string)>();
    for (string? line; (line = reader.ReadLine()) is not null;)
    {
        var f = line.Split('\t');
        if (f.Length > description && f[description].Length > 0) rows.Add((f[package], f[description]));
    }
    return rows;
}

static string FindData()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "debian-packages.tsv.gz");
        if (File.Exists(candidate)) return Path.GetFullPath(candidate);
    }
    throw new FileNotFoundException("debian-packages.tsv.gz not found as ../shared/data above the current directory; pass --data FILE");
}
