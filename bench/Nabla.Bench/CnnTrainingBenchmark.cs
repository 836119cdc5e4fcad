using System.Diagnostics;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Bench;

/// <summary>
/// One epoch of Fashion-MNIST [N, 1, 28, 28] (batch 128, shuffled) on a two-conv LeNet-style net
/// (conv5-32, pool, conv5-64, pool, 3136-128-10) with Adam(1e-3) and cross-entropy, through the
/// public <c>model.Fit</c>; twin: bench/peers/cnn-epoch.py.
/// </summary>
/// <remarks>
/// A full epoch costs minutes on one core, so <c>--limit N</c> trains on the first N images
/// (shuffled) and the reported seconds are the measured time × 60,000 / N: the per-step cost does
/// not depend on which images are in the batch, so the scaled figure estimates the full epoch.
/// Test accuracy is then that of the partial epoch (compared for parity with the twin, which
/// follows the same rule).
/// </remarks>
internal static class CnnTrainingBenchmark
{
    private const int BatchSize = 128;
    private const int WarmupBatches = 10;

    /// <summary>cnn-epoch: seconds per (scaled) epoch, samples/s, test accuracy after the timed training.</summary>
    public static int Epoch(string[] args) => Run("cnn-epoch", Cnn, args);

    /// <summary>
    /// cnn3-epoch: the same recipe on a VGG-style net of 3×3 convolutions (<see cref="Cnn3"/>); twin
    /// bench/peers/cnn3-epoch.py.
    /// </summary>
    public static int Epoch3(string[] args) => Run("cnn3-epoch", Cnn3, args);

    private static int Run(string name, Func<Rng, Sequential> build, string[] args)
    {
        var o = BenchOptions.Parse(name, args);
        if (o is null) return 2;
        var train = o.LoadTrain(flatten: false);
        var test = o.LoadTest(flatten: false);
        int epochImages = train.Count;
        if (o.Limit < 0 || o.Limit > epochImages)
            throw new ArgumentOutOfRangeException(nameof(args), o.Limit, $"--limit must be in 0..{epochImages}");
        var timed = o.Limit > 0 && o.Limit < epochImages ? train.Subset(Enumerable.Range(0, o.Limit).ToArray()) : train;

        // Warm-up on a throwaway model so the JIT has tiered up the conv step; the twin does the same
        // number of batches. Fewer than mlp-epoch's 40 because each CNN step is ~30x dearer.
        var warmRng = new Rng((ulong)o.Seed + 1);
        var warm = build(warmRng);
        var warmLoader = new DataLoader(train.Subset(Enumerable.Range(0, BatchSize * WarmupBatches).ToArray()), BatchSize, shuffle: true, rng: warmRng);
        warm.Fit(warmLoader, new Adam(warm.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 1);

        var rng = new Rng((ulong)o.Seed);
        var model = build(rng);
        var loader = new DataLoader(timed, BatchSize, shuffle: true, rng: rng);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        long start = Stopwatch.GetTimestamp();
        var history = model.Fit(loader, optimizer, new CrossEntropyLoss(), epochs: 1);
        double measured = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double seconds = measured * epochImages / timed.Count;

        // Batch 500 keeps the im2col scratch of the second conv small; the batch does not change the accuracy.
        var eval = model.Evaluate(new DataLoader(test, 500), new CrossEntropyLoss(), [new Accuracy()]);
        string scaled = timed.Count == epochImages ? "" : $" (measured {measured:F3} s on {timed.Count} images, scaled to {epochImages})";
        Console.WriteLine($"nabla {name} threads={o.Threads}: {seconds:F3} s/epoch{scaled}, {timed.Count / measured:F0} samples/s, " +
                          $"train loss {history.Epochs[0]["loss"]:F4}, test accuracy {eval.Metrics["accuracy"]:F4}");
        BenchOptions.Result("seconds", seconds, "s", "lower");
        BenchOptions.Result("samples_per_s", timed.Count / measured, "samples/s", "higher");
        BenchOptions.Result("test_accuracy", eval.Metrics["accuracy"], "fraction", "parity");
        BenchOptions.Result("timed_images", timed.Count, "images", "parity");
        return 0;
    }

    /// <summary>The benchmark's CNN, module for module the twin's nn.Sequential (so state_dict names match).</summary>
    public static Sequential Cnn(Rng rng) =>
        new(new Conv2d(1, 32, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dense(3136, 128, rng), new ReLU(), new Dense(128, 10, rng));

    /// <summary>
    /// The 3×3 benchmark CNN, module for module the twin's nn.Sequential: conv3-32 ×2, pool, conv3-64 ×2,
    /// pool, 3136-128-10 (state_dict keys 0, 2, 5, 7, 11, 13).
    /// </summary>
    public static Sequential Cnn3(Rng rng) =>
        new(new Conv2d(1, 32, 3, rng, padding: 1), new ReLU(), new Conv2d(32, 32, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, rng, padding: 1), new ReLU(), new Conv2d(64, 64, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dense(3136, 128, rng), new ReLU(), new Dense(128, 10, rng));
}
