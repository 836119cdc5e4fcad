using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Distributed;

/// <summary>
/// Data-parallel training over MPI, as PyTorch's <c>DistributedDataParallel</c>: every process holds
/// the same model and optimizer and trains on its own <see cref="Data.DataShard"/> of each batch; the
/// gradients are averaged over the processes during backward, so every process takes the same step
/// and the replicas stay identical. Wrap the model, then train the wrapper as usual:
/// <code>
/// using var group = ProcessGroup.InitMpi();
/// var optimizer = new Adam(model.Parameters(), 1e-3f);
/// using var ddp = new DistributedDataParallel(model, optimizer, group);   // rank 0's weights everywhere
/// var shard = new DataShard(group.Rank, group.WorldSize);
/// ddp.Fit(new DataLoader(train, 128, shuffle: true, rng: new Rng(1), shard: shard), optimizer, loss, epochs: 5,
///         validation: new DataLoader(val, 128, shard: shard), metrics: [new Accuracy()]);
/// </code>
/// With the same seed on every process the shards of a batch are disjoint and make up the batch one
/// process would take, so N processes compute the same steps as one (up to float rounding).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Construction broadcasts rank 0's parameters, buffers and optimizer state, after checking that
/// every process has the same parameter shapes, optimizer state and step count.</item>
/// <item>The parameters are grouped into buckets of about <c>bucketCapBytes</c>, from the output layer
/// backwards (the order backward finishes them). A post-accumulate-grad hook counts a bucket's final
/// gradients; when a bucket is complete (and every earlier one started) its all-reduce starts
/// (<c>MPI_Iallreduce</c>) while backward goes on with the layers before it. When backward ends, the
/// remaining buckets start and all are awaited, so after <c>Backward()</c> returns each gradient is the
/// mean over the whole batch: each process's mean weighted by its number of samples (exact for a loss
/// with mean reduction, also when the last batch does not split evenly).</item>
/// <item>A process whose part of a batch is empty takes part in the step with no gradient (through the
/// optimizer's <c>BeforeStep</c>). Buffers such as batch-norm running statistics are not averaged: each
/// process normalizes over its own part of the batch (PyTorch's DDP without SyncBatchNorm), and before
/// every step rank 0's buffers are copied to the others (PyTorch's <c>broadcast_buffers</c>), so
/// evaluation and saved models use the same statistics everywhere.</item>
/// <item><c>Fit</c> and <c>Evaluate</c> sum their loss and metric figures over the processes
/// (<see cref="IDataParallelModule"/>), so every process logs, stops early and restores the same.</item>
/// </list>
/// </remarks>
public sealed class DistributedDataParallel : Module, IDataParallelModule, IDisposable
{
    /// <summary>The default bucket size: 1 MiB of gradients (PyTorch's DDP uses 1 MB for its first bucket, 25 MB after).</summary>
    public const int DefaultBucketCapBytes = 1 << 20;

    private readonly Optimizer _optimizer;
    private readonly GradientBucket[] _buckets;
    private readonly Tensor[] _buffers;
    private readonly float[] _bufferPack;
    private readonly IDisposable[] _hooks;
    private readonly Action<Optimizer> _beforeStep;
    private readonly Action _finishBackward;
    private int _samples, _started;
    private bool _backwardRan, _averaged, _disposed;
    private long _syncTicks;

    /// <summary>Wraps <paramref name="module"/>; every process must call this with the same model and optimizer.</summary>
    /// <param name="module">The model (registered as child <c>module</c>, so state-dict keys read <c>module.0.weight</c> as in PyTorch).</param>
    /// <param name="optimizer">The optimizer over the module's parameters.</param>
    /// <param name="group">The processes.</param>
    /// <param name="bucketCapBytes">Gradient bytes per all-reduce (≥ 4); a parameter larger than this gets a bucket of its own.</param>
    /// <exception cref="DistributedException">The processes disagree on the model or optimizer, or a broadcast failed.</exception>
    public DistributedDataParallel(Module module, Optimizer optimizer, ProcessGroup group, int bucketCapBytes = DefaultBucketCapBytes)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketCapBytes, sizeof(float));
        Module = RegisterModule("module", module);
        Group = group;
        _optimizer = optimizer;
        var parameters = module.Parameters().Where(p => p.RequiresGrad).ToArray();
        group.RequireSame(Fingerprint(module, optimizer, bucketCapBytes),
            "every process must build the same model and optimizer (and resume from the same files)");
        BroadcastState(module, optimizer);

        _buckets = Buckets(parameters, bucketCapBytes);
        _hooks = new IDisposable[parameters.Length];
        int h = 0;
        for (int b = 0; b < _buckets.Length; b++)
        {
            int bucket = b;
            foreach (var p in _buckets[b].Parameters)
            {
                // Every process's gradients take part in every all-reduce, even where this one's backward never reaches.
                if (p.Grad is null)
                    using (TensorScope.Suspend()) p.Grad = Tensor.Zeros(p.Shape);
                _hooks[h++] = p.RegisterPostAccumulateGradHook(_ => OnGradientReady(bucket));
            }
        }
        _buffers = [.. module.NamedBuffers().Select(b => b.Tensor)];
        _bufferPack = new float[_buffers.Sum(b => b.Numel)];
        _finishBackward = FinishBackward;
        _beforeStep = _ => BeforeStep();
        optimizer.BeforeStep += _beforeStep;
    }

    /// <summary>The wrapped model.</summary>
    public Module Module { get; }

    /// <summary>The processes training together.</summary>
    public ProcessGroup Group { get; }

    /// <summary>The number of gradient buckets (all-reduces per step).</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>
    /// Time the training thread has spent averaging gradients: packing, starting and polling the
    /// all-reduces during backward, waiting for them at its end, unpacking. Divided by the training
    /// time it is the share communication adds to a step (what overlapping with backward did not hide).
    /// </summary>
    public TimeSpan SynchronizationTime => Stopwatch.GetElapsedTime(0, _syncTicks);

    /// <summary>Runs the wrapped model; in training with gradients recorded, notes the batch's rows for weighting this process's gradients.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (IsTraining && GradMode.IsEnabled) _samples = input.Rank == 0 ? 1 : input.Shape[0];
        return Module.Forward(input);
    }

    /// <inheritdoc/>
    public void SumOverProcesses(Span<double> values) => Group.AllReduce(values, ReduceOp.Sum);

    /// <summary>Removes the hooks and frees the buckets; the wrapped model and the process group stay usable.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var hook in _hooks) hook.Dispose();
        _optimizer.BeforeStep -= _beforeStep;
        foreach (var bucket in _buckets) bucket.Dispose();
    }

    private void OnGradientReady(int bucket)
    {
        if (_averaged)
            throw new InvalidOperationException("DistributedDataParallel averages the gradients of one backward pass per optimizer step; call optimizer.Step() (and ZeroGrad) between backward passes");
        long start = Stopwatch.GetTimestamp();
        if (!_backwardRan)
        {
            _backwardRan = true;
            GradHooks.QueueCallback(_finishBackward);
        }
        _buckets[bucket].Pending--;
        // Start buckets strictly in order: every process must start its all-reduces in the same order.
        while (_started < _buckets.Length && _buckets[_started].Pending == 0) _buckets[_started++].Start(Group, _samples);
        for (int b = 0; b < _started; b++) _buckets[b].Poll(Group);
        _syncTicks += Stopwatch.GetTimestamp() - start;
    }

    private void FinishBackward()
    {
        Average();
        _averaged = true;
    }

    private void BeforeStep()
    {
        // No backward on this process since the last step: its part of the batch was empty. It still
        // joins the all-reduces (contributing nothing) the other processes started.
        if (!_averaged)
        {
            _samples = 0;
            Average();
        }
        _averaged = _backwardRan = false;
        _samples = 0;
        if (_buffers.Length > 0) BroadcastBuffers();
    }

    /// <summary>Copies rank 0's buffers (running statistics) to every process, packed into one broadcast.</summary>
    private void BroadcastBuffers()
    {
        long start = Stopwatch.GetTimestamp();
        var pack = _bufferPack.AsSpan();
        if (Group.Rank == 0)
            for (int i = 0, at = 0; i < _buffers.Length; at += _buffers[i++].Numel) _buffers[i].AsReadOnlySpan().CopyTo(pack[at..]);
        Group.Broadcast(pack, 0);
        if (Group.Rank != 0)
            for (int i = 0, at = 0; i < _buffers.Length; at += _buffers[i++].Numel) pack.Slice(at, _buffers[i].Numel).CopyTo(_buffers[i].AsSpan());
        _syncTicks += Stopwatch.GetTimestamp() - start;
    }

    private void Average()
    {
        long start = Stopwatch.GetTimestamp();
        while (_started < _buckets.Length) _buckets[_started++].Start(Group, _samples);
        for (int b = 0; b < _buckets.Length; b++) _buckets[b].Finish(Group);
        _started = 0;
        _syncTicks += Stopwatch.GetTimestamp() - start;
    }

    private static GradientBucket[] Buckets(Tensor[] parameters, int capBytes)
    {
        var buckets = new List<GradientBucket>();
        var current = new List<Tensor>();
        long bytes = 0;
        for (int i = parameters.Length - 1; i >= 0; i--)
        {
            current.Add(parameters[i]);
            bytes += (long)parameters[i].Numel * sizeof(float);
            if (bytes >= capBytes)
            {
                buckets.Add(new GradientBucket([.. current]));
                current.Clear();
                bytes = 0;
            }
        }
        if (current.Count > 0) buckets.Add(new GradientBucket([.. current]));
        return [.. buckets];
    }

    /// <summary>What must be equal on every process before rank 0's state is copied: shapes, optimizer state layout, step, rates.</summary>
    private static KeyValuePair<string, string>[] Fingerprint(Module module, Optimizer optimizer, int capBytes)
    {
        static string Shapes(IEnumerable<(string Name, Tensor Tensor)> tensors) =>
            string.Join(";", tensors.Select(t => t.Name + "[" + string.Join(",", t.Tensor.Shape.ToArray()) + "]"));
        var state = optimizer.StateDict();
        return
        [
            new("parameters", Shapes(module.NamedParameters().Select(p => (p.Name, p.Tensor)))),
            new("buffers", Shapes(module.NamedBuffers())),
            new("optimizer", optimizer.GetType().FullName + " " + string.Join(",", optimizer.Chain.Select(r => r.GetType().Name))),
            new("optimizer state", Shapes(state.Where(kv => !IsGroupEntry(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)))),
            new("optimizer step", optimizer.StepCount.ToString(CultureInfo.InvariantCulture)),
            new("learning rates", string.Join(",", optimizer.ParamGroups.Select(g => g.LearningRate.ToString("R", CultureInfo.InvariantCulture) + "/" + g.WeightDecay.ToString("R", CultureInfo.InvariantCulture)))),
            new("bucket size", capBytes.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    private static bool IsGroupEntry(string key) => key == "step" || key.StartsWith("param_groups.", StringComparison.Ordinal);

    /// <summary>Copies rank 0's parameters, buffers and optimizer state to every process.</summary>
    private void BroadcastState(Module module, Optimizer optimizer)
    {
        foreach (var (_, tensor) in module.StateDict()) Group.Broadcast(tensor.AsSpan(), 0);
        foreach (var (_, tensor) in optimizer.StateDict().Where(kv => !IsGroupEntry(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            Group.Broadcast(tensor.AsSpan(), 0);
    }
}
