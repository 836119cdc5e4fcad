using System.Diagnostics;
using Nabla.Data;
using Nabla.Distributed;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Bench;

/// <summary>
/// The mlp-epoch workload trained by the processes of an MPI job (run it under <c>mpirun -np N</c>):
/// one Fashion-MNIST epoch of 784-256-128-10, Adam(1e-3), batches of 128 split among the processes,
/// gradients averaged by <see cref="DistributedDataParallel"/>; twin: bench/peers/mlp-epoch-ddp.py
/// (PyTorch's DDP over gloo). Rank 0 reports the epoch time, the share of it the training thread spent
/// averaging gradients, and what one blocking all-reduce of the gradients costs alone.
/// </summary>
internal static class DistributedMlpBenchmark
{
    public static int Epoch(string[] args)
    {
        var o = BenchOptions.Parse("mlp-epoch-ddp", args);
        if (o is null) return 2;
        using var group = ProcessGroup.InitMpi();
        var shard = new DataShard(group.Rank, group.WorldSize);
        int bucketBytes = o.BucketKb > 0 ? o.BucketKb * 1024 : DistributedDataParallel.DefaultBucketCapBytes;
        var train = o.LoadTrain();
        var test = o.LoadTest();

        // The same warm-up as mlp-epoch, through the data-parallel path so the all-reduces are warm too.
        var warmRng = new Rng((ulong)o.Seed + 1);
        var warm = BenchOptions.Mlp(warmRng);
        var warmOptimizer = new Adam(warm.Parameters(), 1e-3f);
        using (var w = new DistributedDataParallel(warm, warmOptimizer, group, bucketBytes))
            w.Fit(new DataLoader(train.Subset(Enumerable.Range(0, 128 * 40).ToArray()), 128, shuffle: true, rng: warmRng, shard: shard),
                warmOptimizer, new CrossEntropyLoss(), epochs: 1);

        var rng = new Rng((ulong)o.Seed);
        var model = BenchOptions.Mlp(rng);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        using var ddp = new DistributedDataParallel(model, optimizer, group, bucketBytes);
        var loader = new DataLoader(train, 128, shuffle: true, rng: rng, shard: shard);
        group.Barrier();
        long start = Stopwatch.GetTimestamp();
        var history = ddp.Fit(loader, optimizer, new CrossEntropyLoss(), epochs: 1);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double share = ddp.SynchronizationTime.TotalSeconds / seconds;

        // One all-reduce of the step's gradients (plus the sample count), blocking, averaged over 100.
        var gradients = new float[model.Parameters().Sum(p => p.Numel) + 1];
        group.Barrier();
        long reduceStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < 100; i++) group.AllReduce(gradients);
        double allReduceMs = Stopwatch.GetElapsedTime(reduceStart).TotalMilliseconds / 100;
        if (group.Rank != 0) return 0;

        var eval = model.Evaluate(new DataLoader(test, 1000), new CrossEntropyLoss(), [new Accuracy()]);
        Console.WriteLine($"nabla mlp-epoch-ddp processes={group.WorldSize} threads={o.Threads} buckets={ddp.BucketCount}: {seconds:F3} s, " +
                          $"{train.Count / seconds:F0} samples/s, averaging {100 * share:F1} % of the epoch, one all-reduce of " +
                          $"{4 * (gradients.Length - 1) / 1024} KiB {allReduceMs:F3} ms, train loss {history.Epochs[0]["loss"]:F4}, test accuracy {eval.Metrics["accuracy"]:F4}");
        BenchOptions.Result("seconds", seconds, "s", "lower");
        BenchOptions.Result("samples_per_s", train.Count / seconds, "samples/s", "higher");
        BenchOptions.Result("allreduce_share", share, "fraction", "lower");
        BenchOptions.Result("allreduce_ms", allReduceMs, "ms", "lower");
        BenchOptions.Result("test_accuracy", eval.Metrics["accuracy"], "fraction", "parity");
        return 0;
    }
}
