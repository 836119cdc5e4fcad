// Date normalization with an encoder-decoder transformer: "3rd of March 2021", "03/03/21", "March 3, 2021"
// → "2021-03-03", character by character, decoding greedily until the end-of-sentence token.
// Usage: dotnet run -c Release --project samples/DateTranslation -- [--epochs 12] [--threads 2] [--seed 42]
//        [--beam K] [--write-tsv DIR]   (writes the generated train.tsv and test.tsv and exits)
// The last line is JSON: {"exact_match":…,"seconds":…,…}.
using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Samples;
using Nabla.Tensors;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int epochs = 12, threads = Environment.ProcessorCount, batchSize = 64, beam = 0;
ulong seed = 42;
string? writeTsv = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[i + 1]); break;
        case "--threads": threads = int.Parse(args[i + 1]); break;
        case "--seed": seed = ulong.Parse(args[i + 1]); break;
        case "--batch": batchSize = int.Parse(args[i + 1]); break;
        case "--beam": beam = int.Parse(args[i + 1]); break;
        case "--write-tsv": writeTsv = args[i + 1]; break;
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

// 22,000 distinct written dates: 20,000 to train on, 2,000 held out.
var pairs = DateGenerator.Generate(22_000, new Rng(seed));
var train = pairs.Take(20_000).ToList();
var test = pairs.Skip(20_000).ToList();
if (writeTsv is not null)
{
    Directory.CreateDirectory(writeTsv);
    foreach (var (name, set) in new[] { ("train.tsv", train), ("test.tsv", test) })
        File.WriteAllLines(Path.Combine(writeTsv, name), ["source\ttarget", .. set.Select(p => $"{p.Source}\t{p.Target}")]);
    Console.WriteLine($"wrote {train.Count} training and {test.Count} test pairs to {writeTsv}");
    return 0;
}
var source = new CharVocabulary(train.Select(p => p.Source));
var target = new CharVocabulary(train.Select(p => p.Target));
var trainSrc = train.Select(p => source.Encode(p.Source, "source")).ToList();
var trainTgt = train.Select(p => target.Encode(p.Target, "target")).ToList();
var testSrc = test.Select(p => source.Encode(p.Source, "source")).ToList();
Console.WriteLine($"{train.Count} training and {test.Count} test pairs in {DateGenerator.FormatCount} formats, e.g. " +
                  string.Join(", ", train.Take(4).Select(p => $"\"{p.Source}\" → {p.Target}")));
Console.WriteLine($"vocabularies: {source.Count} source and {target.Count} target tokens; {threads} thread(s)");

var rng = new Rng(seed + 1);
// The embedding is the one swappable piece: (n, d) => new Embedding(n, d, rng) once Nabla.Nn.Embedding is merged.
var model = new Seq2SeqTransformer(source.Count, target.Count, dModel: 64, nhead: 4, rng, (n, d) => new Embedding(n, d, rng),
    numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 256, dropout: 0.1f, maxLength: 64, paddingToken: CharVocabulary.Pad);
Console.WriteLine($"model: {model.Describe()}, 2 + 2 layers, 4 heads, feed-forward 256: {model.ParameterCount():N0} parameters");
var adam = new Adam(model.Parameters(), 1e-3f);
var loss = new CrossEntropyLoss();
int stepsPerEpoch = (train.Count + batchSize - 1) / batchSize, totalSteps = epochs * stepsPerEpoch, warmup = 200, step = 0;
var order = Enumerable.Range(0, train.Count).ToArray();
double exact = 0;
for (int epoch = 1; epoch <= epochs; epoch++)
{
    model.Train();
    rng.Shuffle(order.AsSpan());
    double sum = 0;
    var epochClock = Stopwatch.StartNew();
    for (int b = 0; b < train.Count; b += batchSize)
    {
        var rows = order.AsSpan(b, Math.Min(batchSize, train.Count - b));
        // Linear warm-up, then linear decay to a tenth.
        adam.LearningRate = 1e-3f * (step < warmup ? (step + 1f) / warmup : 1f - 0.9f * (step - warmup) / Math.Max(1, totalSteps - warmup));
        using (TensorScope.Begin("training step"))
        {
            var src = TokenBatch.Ids(trainSrc, rows);
            var tgtIn = TokenBatch.Ids(trainTgt, rows, prefix: CharVocabulary.Start);    // start + date
            var tgtOut = TokenBatch.Ids(trainTgt, rows, suffix: CharVocabulary.End);     // date + end
            var logits = model.Forward(src, tgtIn);
            var l = loss.Forward(logits.Reshape(-1, target.Count), tgtOut.Reshape(-1));
            l.Backward();
            sum += l.Item();
        }
        adam.Step();
        adam.ZeroGrad();
        step++;
    }
    exact = ExactMatch(out _);
    Console.WriteLine($"epoch {epoch}/{epochs}: loss {sum / stepsPerEpoch:F4}, held-out exact match {exact:F4}, {epochClock.Elapsed.TotalSeconds:F1} s ({CpuSince():F1} s CPU)");
}

exact = ExactMatch(out var predictions);
Console.WriteLine("held-out examples (greedy decoding, stops at end-of-sentence):");
for (int i = 0; i < 8; i++) Console.WriteLine($"  {test[i].Source,-32} → {predictions[i]}{(predictions[i] == test[i].Target ? "" : $"   (expected {test[i].Target})")}");
var wrong = Enumerable.Range(0, test.Count).Where(i => predictions[i] != test[i].Target).Take(5).ToList();
foreach (int i in wrong) Console.WriteLine($"  miss: {test[i].Source,-32} → {predictions[i]} (expected {test[i].Target})");
double? beamExact = null;
if (beam > 1)
{
    beamExact = ExactMatch(out _, beam);
    Console.WriteLine($"beam search (width {beam}) exact match {beamExact:F4}");
}
double seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"held-out exact match {exact:F4} ({test.Count} pairs), {seconds:F1} s");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"exact_match\":{exact:F4},\"seconds\":{seconds:F1},\"epochs\":{epochs},\"train_pairs\":{train.Count},\"test_pairs\":{test.Count},\"parameters\":{model.ParameterCount()},\"threads\":{threads}{(beamExact is { } be ? $",\"beam_exact_match\":{be:F4}" : "")}}}"));
return 0;

// Decodes every held-out source (batches of 500, key/value cache on) and compares with the ISO date.
double ExactMatch(out string[] decoded, int beamWidth = 1)
{
    model.Eval();
    decoded = new string[test.Count];
    int right = 0;
    for (int b = 0; b < test.Count; b += 500)
    {
        var rows = Enumerable.Range(b, Math.Min(500, test.Count - b)).ToArray();
        using var scope = TensorScope.Begin("decoding");
        var src = TokenBatch.Ids(testSrc, rows);
        var outputs = beamWidth > 1
            ? Decoding.BeamSearch(model.StartDecoding(src, 12, repeat: beamWidth), beamWidth, CharVocabulary.Start, CharVocabulary.End, 12)
            : Decoding.Greedy(model.StartDecoding(src, 12), CharVocabulary.Start, CharVocabulary.End, 12);
        for (int i = 0; i < rows.Length; i++)
        {
            decoded[rows[i]] = target.Decode(outputs[i]);
            if (decoded[rows[i]] == test[rows[i]].Target) right++;
        }
    }
    return right / (double)test.Count;
}
