using System.Diagnostics;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>One epoch of <see cref="NodeClassification.Fit"/>: the training loss and the accuracy on each part of the split.</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Loss">Cross-entropy on the training nodes (before the update).</param>
/// <param name="TrainAccuracy">Accuracy on the training nodes after the update.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation nodes after the update.</param>
/// <param name="TestAccuracy">Accuracy on the test nodes after the update.</param>
/// <param name="Seconds">Wall time of the epoch (update and evaluation).</param>
public sealed record NodeEpoch(int Epoch, double Loss, double TrainAccuracy, double ValidationAccuracy, double TestAccuracy, double Seconds);

/// <summary>What <see cref="NodeClassification.Fit"/> found: the epoch with the best validation accuracy and its test accuracy.</summary>
/// <param name="BestEpoch">The first epoch with the highest validation accuracy.</param>
/// <param name="ValidationAccuracy">That epoch's validation accuracy.</param>
/// <param name="TestAccuracy">That epoch's test accuracy: the figure to report.</param>
/// <param name="Epochs">Every epoch's figures.</param>
/// <param name="Seconds">Wall time of the whole run.</param>
public sealed record NodeClassificationResult(int BestEpoch, double ValidationAccuracy, double TestAccuracy, IReadOnlyList<NodeEpoch> Epochs, double Seconds);

/// <summary>
/// Full-batch semi-supervised node classification, the loop of PyTorch Geometric's GCN example:
/// every epoch is one update on the labelled training nodes and one evaluation of all nodes, and the
/// reported test accuracy is the one of the epoch with the best validation accuracy (model
/// selection on validation nodes; the weights are left as the last epoch made them).
/// </summary>
/// <remarks>
/// It is this, which a user may also write by hand:
/// <code>
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
/// {
///     model.Train();
///     using (TensorScope.Begin())
///     {
///         optimizer.ZeroGrad();
///         loss.Forward(model.Forward(x, graph).IndexSelect(0, trainIndex), trainTargets).Backward();
///         optimizer.Step();
///     }
///     model.Eval();
///     using (TensorScope.Begin()) using (GradMode.NoGrad())
///         predicted = model.Forward(x, graph).ArgMax(1);   // accuracy on train, validation, test
/// }
/// </code>
/// </remarks>
public static class NodeClassification
{
    /// <summary>Trains <paramref name="model"/> for <paramref name="epochs"/> full-batch epochs with cross-entropy.</summary>
    /// <param name="model">A graph module producing one logit row per node.</param>
    /// <param name="x">The node features.</param>
    /// <param name="graph">The graph.</param>
    /// <param name="data">Labels of the nodes (the split's nodes must be labelled).</param>
    /// <param name="split">Training, validation and test nodes.</param>
    /// <param name="optimizer">Updates the model's parameters.</param>
    /// <param name="epochs">Number of updates.</param>
    /// <param name="onEpoch">Called after every epoch (progress output).</param>
    /// <exception cref="ArgumentException">A split node is unlabelled.</exception>
    public static NodeClassificationResult Fit(GraphModule model, NodeFeatures x, Graph graph, NodeData data, NodeSplit split,
        Optimizer optimizer, int epochs, Action<NodeEpoch>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        var trainIndex = NodeData.Index(split.Train);
        var trainTargets = data.Targets(split.Train);
        data.Targets(split.Validation);
        data.Targets(split.Test);
        var loss = new CrossEntropyLoss();
        var log = new List<NodeEpoch>(epochs);
        var predicted = new float[graph.NodeCount];
        int best = -1;
        long start = Stopwatch.GetTimestamp();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long epochStart = Stopwatch.GetTimestamp();
            model.Train();
            float lossValue;
            using (TensorScope.Begin("node classification step"))
            {
                optimizer.ZeroGrad();
                var l = loss.Forward(model.Forward(x, graph).IndexSelect(0, trainIndex), trainTargets);
                l.Backward();
                optimizer.Step();
                lossValue = l.Item();
            }
            model.Eval();
            using (TensorScope.Begin("node classification evaluation"))
            using (GradMode.NoGrad())
                model.Forward(x, graph).ArgMax(1).CopyTo(predicted);
            var entry = new NodeEpoch(epoch, lossValue, Accuracy(predicted, data, split.Train), Accuracy(predicted, data, split.Validation),
                Accuracy(predicted, data, split.Test), Stopwatch.GetElapsedTime(epochStart).TotalSeconds);
            log.Add(entry);
            if (best < 0 || entry.ValidationAccuracy > log[best].ValidationAccuracy) best = epoch;
            onEpoch?.Invoke(entry);
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return best < 0
            ? new NodeClassificationResult(-1, double.NaN, double.NaN, log, seconds)
            : new NodeClassificationResult(best, log[best].ValidationAccuracy, log[best].TestAccuracy, log, seconds);
    }

    /// <summary>The share of <paramref name="nodes"/> whose predicted class is their label (NaN for no nodes).</summary>
    public static double Accuracy(ReadOnlySpan<float> predicted, NodeData data, IReadOnlyList<int> nodes)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0) return double.NaN;
        int correct = 0;
        foreach (int i in nodes) correct += (int)predicted[i] == data.Labels[i] ? 1 : 0;
        return (double)correct / nodes.Count;
    }
}
