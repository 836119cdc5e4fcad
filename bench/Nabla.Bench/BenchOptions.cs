using System.Globalization;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// Options shared by the MLP workloads and the result line that bench/run.sh parses. Every
/// workload prints one or more lines <c>RESULT name value unit better</c> (better = higher|lower),
/// exactly like its PyTorch twin in bench/peers, so the runner compares like with like.
/// </summary>
internal sealed class BenchOptions
{
    public int Threads { get; private set; } = 1;
    public string DataDir { get; private set; } = Path.Combine("..", "shared", "data", "fashion-mnist");
    public int Seed { get; private set; } = 2024;
    public int Calls { get; private set; }

    /// <summary>--limit N: train on the first N images only (0 = all); cnn-epoch scales the time to a full epoch.</summary>
    public int Limit { get; private set; }

    /// <summary>--bucket-kb N: gradient bucket size of the data-parallel workloads (0 = DistributedDataParallel's default).</summary>
    public int BucketKb { get; private set; }

    public static BenchOptions? Parse(string workload, string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string? next = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--threads" when next is not null: o.Threads = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--data" when next is not null: o.DataDir = next; i++; break;
                case "--seed" when next is not null: o.Seed = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--calls" when next is not null: o.Calls = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--limit" when next is not null: o.Limit = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--bucket-kb" when next is not null: o.BucketKb = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
                default:
                    Console.Error.WriteLine($"{workload}: unknown option '{args[i]}'; options: --threads N --data DIR --seed S --calls N --limit N --bucket-kb N");
                    return null;
            }
        }
        // Like torch.set_num_threads: every kernel in the process uses at most this many threads.
        WorkerPool.MaxThreads = o.Threads;
        return o;
    }

    public ImageDataset LoadTrain(bool flatten = true) => Load("train", flatten);

    public ImageDataset LoadTest(bool flatten = true) => Load("t10k", flatten);

    private ImageDataset Load(string prefix, bool flatten)
    {
        string images = Path.Combine(DataDir, $"{prefix}-images-idx3-ubyte.gz");
        if (!File.Exists(images))
            throw new FileNotFoundException($"Fashion-MNIST not found at {Path.GetFullPath(images)}; run from the repository root or pass --data DIR");
        return IdxImages.Load(images, Path.Combine(DataDir, $"{prefix}-labels-idx1-ubyte.gz"), flatten);
    }

    /// <summary>784-256-128-10 ReLU MLP with PyTorch's default nn.Linear initialization.</summary>
    public static Sequential Mlp(Rng rng) =>
        new(new Dense(784, 256, rng), new ReLU(), new Dense(256, 128, rng), new ReLU(), new Dense(128, 10, rng));

    /// <summary>
    /// The mlp-epoch recipe from --seed, as every MLP workload and its twin build it: the model, then a shuffled
    /// batch-128 loader over <paramref name="train"/> drawing from the same generator, and Adam(1e-3).
    /// </summary>
    public (Sequential Model, DataLoader Loader, Adam Optimizer) MlpRecipe(ImageDataset train)
    {
        var rng = new Rng((ulong)Seed);
        var model = Mlp(rng);
        return (model, new DataLoader(train, 128, shuffle: true, rng: rng), new Adam(model.Parameters(), 1e-3f));
    }

    public static void Result(string name, double value, string unit, string better) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {value:R} {unit} {better}"));

    /// <summary>Peak resident set size of this process in MiB (VmHWM), as the twin reads it.</summary>
    public static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    public static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
