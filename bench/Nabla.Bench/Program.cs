using Nabla.Bench;

// Each workload is a name on the command line so new benchmarks plug in without touching others.
// bench/run.sh runs each one alternately with its PyTorch twin bench/peers/<workload>.py.
var workloads = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["sgemm"] = GemmBenchmark.Run,
    ["mlp-epoch"] = MlpTrainingBenchmark.Epoch,
    ["mlp-epoch-ddp"] = DistributedMlpBenchmark.Epoch,
    ["peak-rss"] = MlpTrainingBenchmark.PeakRss,
    ["alloc-per-step"] = MlpTrainingBenchmark.AllocPerStep,
    ["infer-latency"] = MlpInferenceBenchmark.Latency,
    ["infer-throughput"] = MlpInferenceBenchmark.Throughput,
    ["mlp-profile"] = MlpProfileBenchmark.Run,
    ["mlp-kernels"] = MlpKernelProfile.Run,
    ["mlp-split-ab"] = MlpSplitAbBenchmark.Run,
    ["cnn-epoch"] = CnnTrainingBenchmark.Epoch,
    ["cnn3-epoch"] = CnnTrainingBenchmark.Epoch3,
    ["cnn-profile"] = CnnStepBenchmark.Run,
    ["cnn3-profile"] = Cnn3StepBenchmark.Run,
    ["gcn-epochs"] = GcnBenchmark.Epochs,
    ["gcn-profile"] = GcnStepBenchmark.Run,
    ["diagnose-overhead"] = DiagnosticsOverheadBenchmark.Run,
    ["lstm-step"] = RecurrentStepBenchmark.Lstm,
    ["gru-step"] = RecurrentStepBenchmark.Gru,
    ["encoder-step"] = TransformerBenchmark.EncoderStep,
    ["generate"] = TransformerBenchmark.Generate,
    ["encoder-profile"] = TransformerProfileBenchmark.Run,
    ["text-export"] = TextBenchmark.Export,
    ["text-epoch"] = TextBenchmark.Epoch,
};

if (args.Length == 0 || !workloads.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Nabla.Bench <workload> [options]; workloads: {string.Join(", ", workloads.Keys)}");
    return 2;
}
return run(args[1..]);
