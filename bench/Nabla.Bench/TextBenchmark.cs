using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nabla.Cli;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Bench;

/// <summary>
/// Text workloads on the Debian package descriptions (section, 58 classes) with what <c>nabla train</c>
/// does for <c>text:</c> data — its split, validation hold-out, vectorizer defaults, model completion and
/// optimizer are called, not copied:
/// <list type="bullet">
/// <item><c>text-export</c> writes the encoded rows and the vocabulary for the PyTorch twins
/// (bench/peers/text-epoch.py, bench/peers/text-accuracy.py), so they train on exactly these token ids;</item>
/// <item><c>text-epoch</c> times one epoch of the seed model (<c>embedding(64) gap1d dense(64,relu)</c>)
/// on the fitted rows and counts the bytes a steady-state step allocates.</item>
/// </list>
/// </summary>
internal static class TextBenchmark
{
    private const string Model = "embedding(64) gap1d dense(64,relu)";

    // nabla train's --validation-split default.
    private const float ValidationSplit = 0.1f;

    private sealed record Args(string Data, string Text, string Label, string? Separator, ulong Seed, int Threads, string? Out, int Epochs);

    private static Args? Parse(string workload, string[] args)
    {
        string data = Path.Combine("..", "shared", "data", "debian-packages.tsv.gz"), text = "description", label = "section";
        string? separator = null, output = null;
        ulong seed = 0;
        int threads = 1, epochs = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string? next = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--data" when next is not null: data = next; i++; break;
                case "--text" when next is not null: text = next; i++; break;
                case "--label" when next is not null: label = next; i++; break;
                case "--label-separator" when next is not null: separator = next; i++; break;
                case "--seed" when next is not null: seed = ulong.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--threads" when next is not null: threads = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--epochs" when next is not null: epochs = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--out" when next is not null: output = next; i++; break;
                default:
                    Console.Error.WriteLine($"{workload}: unknown option '{args[i]}'; options: --data FILE --text COLUMN --label COLUMN --label-separator S --seed N --threads N --epochs N --out FILE");
                    return null;
            }
        }
        Kernels.WorkerPool.MaxThreads = threads;
        return new Args(data, text, label, separator, seed, threads, output, epochs);
    }

    /// <summary>The data as nabla train prepares it with its text defaults: fitted, validation and test rows, and the vectorizer.</summary>
    private static (TextDataset Fit, TextDataset? Validation, TextDataset Test, TextVectorization Vectorizer, LoadedData Data) Load(Args a, float validationSplit)
    {
        var text = new TextSettings { Column = a.Text };
        var data = DataSpec.Load("text:" + a.Data, new DataOptions
        {
            Seed = a.Seed, TextColumn = a.Text, Label = a.Label, LabelSeparator = a.Separator, Vectorizer = text.NewVectorizer(),
        });
        var (fit, validation) = Preparation.HoldOut(data.Train, validationSplit, a.Seed);
        var vectorizer = text.NewVectorizer();
        vectorizer.Adapt(((TextDataset)fit).Texts!);
        var info = new ModelInfo { Architecture = "", InputShape = [1, 1], Task = data.Task.ToName(), Vectorizer = vectorizer };
        return ((TextDataset)Preparation.Apply(fit, info), validation is null ? null : (TextDataset)Preparation.Apply(validation, info),
            (TextDataset)Preparation.Apply(data.Test, info), vectorizer, data);
    }

    /// <summary>text-export: <c>part \t targets \t ids</c> rows (part fit|validation|test; targets a class index or label indices joined by ';') and FILE.vocab.txt.</summary>
    public static int Export(string[] args)
    {
        var a = Parse("text-export", args);
        if (a is null) return 2;
        if (a.Out is null)
        {
            Console.Error.WriteLine("text-export: --out FILE is required");
            return 2;
        }
        var (fit, validation, test, vectorizer, data) = Load(a, ValidationSplit);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# task={data.Task.ToName()} outputs={data.Outputs} vocabulary={vectorizer.Vocabulary.Count} seed={a.Seed}\n");
        void Rows(string part, TextDataset d)
        {
            var y = d.Targets.ToArray();
            int width = d.Targets.Rank == 1 ? 1 : d.Targets.Shape[1];
            for (int i = 0; i < d.Count; i++)
            {
                sb.Append(part).Append('\t');
                if (data.Task == TaskKind.MultiLabel)
                    sb.AppendJoin(';', Enumerable.Range(0, width).Where(j => y[i * width + j] >= 0.5f));
                else sb.Append((int)y[i * width]);
                sb.Append('\t').AppendJoin(' ', d.Row(i).ToArray()).Append('\n');
            }
        }
        Rows("fit", fit);
        if (validation is not null) Rows("validation", validation);
        Rows("test", test);
        File.WriteAllText(a.Out, sb.ToString());
        File.WriteAllLines(a.Out + ".vocab.txt", vectorizer.Vocabulary.Tokens.Select(t => t.Length == 0 ? "[PAD]" : t));
        Console.WriteLine($"text-export: {fit.Count} fit, {validation?.Count ?? 0} validation, {test.Count} test rows, vocabulary {vectorizer.Vocabulary.Count} → {a.Out}");
        return 0;
    }

    /// <summary>text-epoch: seconds per epoch of the seed model on the fitted rows, samples/s, test accuracy, bytes per steady-state step.</summary>
    public static int Epoch(string[] args)
    {
        var a = Parse("text-epoch", args);
        if (a is null) return 2;
        var (fit, _, test, vectorizer, data) = Load(a, ValidationSplit);
        var settings = new TrainingSettings
        {
            Data = "text:" + a.Data, Model = Model, Optimizer = TextSettings.DefaultOptimizer, LearningRate = TextSettings.DefaultLearningRate,
            BatchSize = TextSettings.DefaultBatchSize, Dropout = TextSettings.DefaultDropout, ValidationSplit = ValidationSplit, Seed = a.Seed,
            Epochs = a.Epochs, TextData = new TextSettings { Column = a.Text },
        };
        string spec = ModelPlan.Complete(Model, data.Outputs, settings.Dropout, vectorizer.Vocabulary.Count);
        Sequential Build(Rng rng) => ModelBuilder.Build(ModelSpec.Parse(spec), new Shape(1, 1), rng);
        var loss = ModelPlan.LossFor(data.Task);

        // Warm-up on a throwaway model (the JIT tiers up the step); the twin runs the same warm-up.
        var warm = Build(new Rng(a.Seed + 1));
        var warmRows = fit.Subset([.. Enumerable.Range(0, Math.Min(fit.Count, settings.BatchSize * 40))]);
        warm.Fit(new DataLoader(warmRows, settings.BatchSize, shuffle: true, rng: new Rng(a.Seed + 1)), TrainCommand.CreateOptimizer(settings, warm), loss, epochs: 1);

        var model = Build(new Rng(a.Seed));
        var optimizer = TrainCommand.CreateOptimizer(settings, model);
        var loader = new DataLoader(fit, settings.BatchSize, shuffle: true, rng: new Rng(a.Seed + 1));
        long start = Stopwatch.GetTimestamp();
        var history = model.Fit(loader, optimizer, loss, epochs: a.Epochs);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds / a.Epochs;
        var eval = model.Evaluate(new DataLoader(test, 1024), loss, [new Accuracy()]);

        // Bytes a steady-state step allocates (the same model, more steps of the next epoch).
        loader.StartEpoch();
        for (int i = 0; i < 50; i++) TrainingStep.Run(model, loss, optimizer, loader, i, null, out _);
        const int steps = 200;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++) TrainingStep.Run(model, loss, optimizer, loader, 50 + i, null, out _);
        double bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)steps;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nabla text-epoch threads={a.Threads}: {seconds:F3} s, {fit.Count / seconds:F0} samples/s, train loss {history.Epochs[^1].Loss:F4}, " +
            $"test accuracy {eval.Metrics["accuracy"]:F4}, vocabulary {vectorizer.Vocabulary.Count}, batch {settings.BatchSize}, {settings.Optimizer}, {bytes:F0} B/step"));
        BenchOptions.Result("seconds", seconds, "s", "lower");
        BenchOptions.Result("samples_per_s", fit.Count / seconds, "samples/s", "higher");
        BenchOptions.Result("test_accuracy", eval.Metrics["accuracy"], "fraction", "parity");
        BenchOptions.Result("bytes_per_step", bytes, "B", "lower");
        return 0;
    }
}
