using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>One mini-batch: inputs <c>[b, …]</c> and targets <c>[b, …]</c> (tensors of the current scope).</summary>
/// <param name="Inputs">The model's input rows.</param>
/// <param name="Targets">The matching targets (class indices <c>[b]</c>, one-hot or values <c>[b, k]</c>).</param>
public readonly record struct Batch(Tensor Inputs, Tensor Targets);

/// <summary>
/// Anything that hands out mini-batches by index: <see cref="TensorBatchSource"/> over two
/// in-memory tensors here, and the data layer's <c>DataLoader</c>. <see cref="ModelTraining.Fit(Nn.Module, IBatchSource, Optim.Optimizer, Nn.Losses.Loss, int, IBatchSource?, IReadOnlyList{Metrics.Metric}?, IReadOnlyList{Callbacks.Callback}?)"/>
/// calls <see cref="StartEpoch"/> once per epoch, then <see cref="GetBatch"/> for
/// <c>0 … BatchCount-1</c>, each inside its own <see cref="TensorScope"/>.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of samples one epoch visits (after dropping an incomplete last batch, if configured).</summary>
    int SampleCount { get; }

    /// <summary>Number of batches in one epoch.</summary>
    int BatchCount { get; }

    /// <summary>Prepares the next epoch: a shuffling source draws a new order from its <see cref="Rng"/>.</summary>
    void StartEpoch();

    /// <summary>
    /// Batch <paramref name="index"/> of the current epoch, materialised as tensors of the current
    /// scope (so a per-step <see cref="TensorScope"/> recycles them).
    /// </summary>
    Batch GetBatch(int index);
}
