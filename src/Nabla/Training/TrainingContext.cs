using Nabla.Nn;
using Nabla.Optim;
using Nabla.Training.Metrics;

namespace Nabla.Training;

/// <summary>What callbacks can see and steer during <c>Fit</c>: the model, optimizer, history and a stop flag.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Module model, Optimizer optimizer, int epochs, IReadOnlyList<Metric> metrics, History history)
    {
        Model = model;
        Optimizer = optimizer;
        Epochs = epochs;
        Metrics = metrics;
        History = history;
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>The optimizer (callbacks may change its learning rate).</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The requested number of epochs.</summary>
    public int Epochs { get; }

    /// <summary>The metrics accumulated during training (running values via <see cref="Metric.Result"/>).</summary>
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>The logs so far.</summary>
    public History History { get; }

    /// <summary>Set to true to end training after the current epoch (Keras' <c>model.stop_training</c>).</summary>
    public bool StopTraining { get; set; }
}

/// <summary>Figures after one training batch (a value type: reporting allocates nothing).</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Batch">The batch index within the epoch, from 0.</param>
/// <param name="BatchCount">Batches per epoch.</param>
/// <param name="BatchSize">Samples in this batch.</param>
/// <param name="Loss">This batch's loss.</param>
/// <param name="RunningLoss">Mean loss over the epoch's samples so far.</param>
/// <param name="RunningAccuracy">Running value of the first <see cref="Accuracy"/> metric, NaN if there is none.</param>
/// <param name="SamplesPerSecond">Samples trained per second since the epoch began.</param>
public readonly record struct BatchLogs(int Epoch, int Batch, int BatchCount, int BatchSize, double Loss, double RunningLoss, double RunningAccuracy, double SamplesPerSecond);
