using System.Runtime.CompilerServices;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training.Metrics;

namespace Nabla.Training;

/// <summary>
/// One optimisation step on batch <c>i</c> of a <see cref="DataLoader"/>, the body of <c>Fit</c>'s
/// inner loop, for users writing their own loop (call <c>loader.StartEpoch()</c> before each epoch):
/// <code>
/// using (TensorScope.Begin())
/// {
///     var (x, y) = loader.GetBatch(i);
///     var output = model.Forward(x);
///     var loss = lossFn.Forward(output, y);
///     loss.Backward();
///     value = loss.Item();          // and metrics read output, y
/// }
/// optimizer.Step();
/// optimizer.ZeroGrad();
/// </code>
/// Every temporary goes back to the pools at the end of the scope, so after the first steps a
/// step allocates nothing.
/// </summary>
public static class TrainingStep
{
    /// <summary>Trains on batch <paramref name="batchIndex"/> of <paramref name="source"/>; returns the batch loss.</summary>
    /// <param name="model">The model (its mode is left as it is).</param>
    /// <param name="loss">A loss with reduction Mean or Sum.</param>
    /// <param name="optimizer">Updates the parameters from their gradients.</param>
    /// <param name="source">The loader that gathers the batch.</param>
    /// <param name="batchIndex">Which batch of the current epoch.</param>
    /// <param name="metrics">Metrics updated with the batch's output (may be null).</param>
    /// <param name="batchSize">The number of samples in the batch.</param>
    /// <exception cref="ShapeMismatchException">The loss is not a scalar (reduction None).</exception>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite; the parameters are left un-updated.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Run(Module model, Loss loss, Optimizer optimizer, DataLoader source, int batchIndex,
        IReadOnlyList<Metric>? metrics, out int batchSize) =>
        Run(model, loss, optimizer, source, batchIndex, metrics, null, null, out batchSize);

    /// <summary>
    /// The step with the epoch known (from <c>Fit</c>), so a divergence error can name it, and with
    /// the observers of its forward pass (<c>Fit</c>'s diagnostic mode; null: the plain step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Run(Module model, Loss loss, Optimizer optimizer, DataLoader source, int batchIndex,
        IReadOnlyList<Metric>? metrics, int? epoch, IStepObserver[]? observers, out int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(source);
        float value;
        using (TensorScope.Begin())
        {
            var (x, y) = source.GetBatch(batchIndex);
            batchSize = x.Rank == 0 ? 1 : x.Shape[0];
            value = 0f;
            // A data shard's part of a batch smaller than the number of shards can be empty: this process then
            // contributes no gradient, but still takes the step (with the other processes' averaged gradients).
            if (batchSize > 0)
            {
                Tensor output, l;
                if (loss is MultiOutputLoss multi)
                {
                    l = ForwardAll(model, multi, x, y, out output);
                    if (observers is not null)
                        for (int o = 0; o < observers.Length; o++) observers[o].OnLayerOutput(0, model, output);
                }
                else
                {
                    output = observers is null ? model.Forward(x) : ObservedForward(model, x, observers);
                    l = loss.Forward(output, y);
                }
                if (l.Numel != 1)
                    throw new ShapeMismatchException($"training needs a scalar loss (reduction Mean or Sum), got shape {l.Shape}");
                if (observers is not null)
                    for (int i = 0; i < observers.Length; i++) observers[i].OnLoss(l);
                l.Backward();
                value = l.Item();
                if (!float.IsFinite(value))
                {
                    // Stop before the optimizer spreads NaN through every parameter: the model keeps its last finite weights.
                    optimizer.ZeroGrad();
                    throw new TrainingDivergedException(epoch, batchIndex, source.BatchCount, value, (float)optimizer.LearningRate);
                }
                if (metrics is not null)
                    for (int i = 0; i < metrics.Count; i++) metrics[i].Update(output, y);
            }
        }
        optimizer.Step();
        optimizer.ZeroGrad();
        return value;
    }

    /// <summary>
    /// The loss of a model and its output for metrics: with a <see cref="MultiOutputLoss"/>, every output of the
    /// <see cref="FunctionalModel"/> is scored and the metrics see the first (main) one.
    /// </summary>
    /// <exception cref="NablaException">A multi-output loss with a model that is not a functional model.</exception>
    internal static Tensor ForwardLoss(Module model, Loss loss, Tensor x, Tensor y, out Tensor output)
    {
        if (loss is MultiOutputLoss multi) return ForwardAll(model, multi, x, y, out output);
        output = model.Forward(x);
        return loss.Forward(output, y);
    }

    private static Tensor ForwardAll(Module model, MultiOutputLoss loss, Tensor x, Tensor y, out Tensor output)
    {
        if (model is not FunctionalModel functional)
            throw new NablaException($"a MultiOutputLoss needs a model with several outputs (FunctionalModel), got {model.Describe()}");
        var outputs = functional.ForwardAll(x);
        output = outputs[0];
        return loss.Forward(outputs, y);
    }

    // Sequential.Forward's loop, with each layer's output shown to the observers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tensor ObservedForward(Module model, Tensor x, IStepObserver[] observers)
    {
        if (model is not Sequential s)
        {
            var y = model.Forward(x);
            for (int o = 0; o < observers.Length; o++) observers[o].OnLayerOutput(0, model, y);
            return y;
        }
        for (int i = 0; i < s.Count; i++)
        {
            x = s[i].Forward(x);
            for (int o = 0; o < observers.Length; o++) observers[o].OnLayerOutput(i, s[i], x);
        }
        return x;
    }

    /// <summary>The batch's total loss (mean × batch size for a mean loss), so epochs average over samples.</summary>
    internal static double Total(Loss loss, float value, int batchSize) =>
        loss.Reduction == Reduction.Sum ? value : (double)value * batchSize;
}
