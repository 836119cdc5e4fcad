// The lecture's Keras text classifier, end to end through the library API, on the AppStream
// application descriptions (2,017 texts, 133 freedesktop categories, several per text):
//
//   model = Sequential()
//   model.add(Embedding(len(vocab), 64))
//   model.add(GlobalAveragePooling1D())
//   model.add(Dense(32, activation='relu'))
//   model.add(Dense(number_of_labels, activation='sigmoid'))   # one neuron per label, θ tuned on data
//
// with the settings docs/benchmarks.md measured best for it (single words, English stop words dropped,
// no dropout, lazy Adam lr 0.03, batch 32, 20 epochs) and a seeded 80/20 split, 10 % of the training
// rows held out to tune the thresholds. The last line is
// one JSON object with the headline figures.
// Usage: dotnet run -c Release --project samples/TextClassifier [-- --epochs N --seed N --threads N --vectors FILE --data FILE]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

string data = Path.Combine("..", "shared", "data", "appstream-categories.tsv.gz");
int epochs = 20;
ulong seed = 0;
string? vectorsFile = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--data": data = args[i + 1]; break;
        case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = ulong.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--threads": WorkerPool.MaxThreads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--vectors": vectorsFile = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
var sw = Stopwatch.StartNew();

// Texts and their label sets, split 80/20 with the seed; the vocabulary comes from the fitted rows only.
static TextVectorization Vectorizer() => new(maxTokens: 50_000, minCount: 1, removeStopWords: true, ngrams: 1);
var loaded = DataSpec.Load("text:" + data, new DataOptions { TextColumn = "text", Label = "categories", LabelSeparator = ";", Seed = seed, Vectorizer = Vectorizer() });
var all = (TextDataset)loaded.Train;
var (fitRows, validationRows) = Splits.TrainTestIndices(all.Count, 0.1, new Rng(seed ^ 0x5EED));
var vectorizer = Vectorizer();
vectorizer.Adapt(fitRows.Select(i => all.Texts![i]));
var fit = all.Subset(fitRows).Encode(vectorizer);
var validation = all.Subset(validationRows).Encode(vectorizer);
var test = ((TextDataset)loaded.Test).Encode(vectorizer);
int labels = loaded.ClassNames.Count;

var rng = new Rng(seed);
var embedding = new Embedding(vectorizer.Vocabulary.Count, 64, rng, paddingIdx: 0);
if (vectorsFile is not null)
{
    var table = WordVectors.Load(vectorsFile).EmbeddingMatrix(vectorizer.Vocabulary, rng.Fork(), out int found);
    table.AsReadOnlySpan().CopyTo(embedding.Weight.AsSpan());
    Console.WriteLine($"vectors {vectorsFile}: {found} of {vectorizer.Vocabulary.Count - 2} tokens found");
}
var model = new Sequential(
    embedding,                                    // ids [N, T] → [N, T, 64], padding masked
    new GlobalAveragePooling1D(),                 // mean over the real tokens → [N, 64]
    new Dense(64, 32, rng), new ReLU(),
    new Dense(32, labels, rng));                  // logits; the sigmoid is inside the loss and applied at prediction

var progress = new ProgressCallback();
progress.EpochEnd += (logs, total) => Console.WriteLine($"epoch {logs.Epoch + 1}/{total}: loss {logs.Loss:F4}, val_loss {logs["val_loss"]:F4}, {logs.Seconds:F1} s");
var history = model.Fit(new DataLoader(fit, 32, shuffle: true, rng: new Rng(seed + 1)), new SparseAdam(model.Parameters(), 0.03f), new BCEWithLogitsLoss(),
    epochs, new DataLoader(validation, 256), callbacks: [progress]);
double trainSeconds = history.Epochs.Sum(e => e.Seconds);

// θ per label for F1 on the validation rows (labels with fewer than 10 positives there share one θ).
Tensor Probabilities(TextDataset d) => model.Predict(new DataLoader(d, 256)).Sigmoid();
var thresholds = DecisionThresholds.Tune(Probabilities(validation), validation.Targets, minPositives: 10);
var predicted = thresholds.Apply(Probabilities(test));
var atHalf = new DecisionThresholds(0.5f).Apply(Probabilities(test));
double microF1 = MultiLabelMetrics.MicroF1(test.Targets, predicted);
Console.WriteLine($"vocabulary {vectorizer.Vocabulary.Count} tokens, {fit.Count} fitted / {validation.Count} validation / {test.Count} test texts, {labels} labels");
Console.WriteLine($"test micro-F1 {microF1:F4} with tuned θ ({MultiLabelMetrics.MicroF1(test.Targets, atHalf):F4} at θ = 0.5), macro-F1 {MultiLabelMetrics.MacroF1(test.Targets, predicted):F4}");
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["test_micro_f1"] = Math.Round(microF1, 4),
    ["test_micro_f1_at_0.5"] = Math.Round(MultiLabelMetrics.MicroF1(test.Targets, atHalf), 4),
    ["vocabulary"] = vectorizer.Vocabulary.Count,
    ["epochs"] = epochs,
    ["seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 1),
    ["samples_per_second"] = Math.Round(fit.Count * epochs / trainSeconds),
}));
return 0;
