using Nabla.Data;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Tests.Nn;
using Nabla.Training;

namespace Nabla.Tests.Training;

public class NodeClassificationTests
{
    [Fact]
    public void Fit_reports_the_test_accuracy_of_the_first_epoch_with_the_best_validation_accuracy()
    {
        var data = KarateClub.Load();
        var rng = new Rng(3);
        var split = data.RandomSplit(new Rng(4), 0.2, 0.3);
        var model = new GraphLayerTests.TwoLayer(new GCNConv(34, 16, rng), new GCNConv(16, 2, rng), 0.5f, rng);
        var seen = new List<int>();
        var result = NodeClassification.Fit(model, data.Features!, data.Graph, data, split, new Adam(model.Parameters(), 1e-2f), 40, e => seen.Add(e.Epoch));

        Assert.Equal(Enumerable.Range(0, 40), seen);
        Assert.Equal(40, result.Epochs.Count);
        double best = result.Epochs.Max(e => e.ValidationAccuracy);
        Assert.Equal(result.Epochs.First(e => e.ValidationAccuracy == best).Epoch, result.BestEpoch);
        Assert.Equal(best, result.ValidationAccuracy);
        Assert.Equal(result.Epochs[result.BestEpoch].TestAccuracy, result.TestAccuracy);
        Assert.True(result.TestAccuracy >= 0.75, $"karate club test accuracy {result.TestAccuracy:F3} from {split.Train.Length} labelled members");
        Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss, "the training loss went down");
    }

    [Fact]
    public void Accuracy_counts_predictions_equal_to_the_labels()
    {
        var data = new NodeData(Graph.Empty(4), null, [0, 1, -1, 1], ["a", "b"]);
        Assert.Equal(0.5, NodeClassification.Accuracy([0f, 0f, 1f, 0f], data, [0, 1]));
        Assert.Equal(1.0, NodeClassification.Accuracy([0f, 1f, 1f, 1f], data, [0, 1, 3]));
        Assert.True(double.IsNaN(NodeClassification.Accuracy([0f], data, [])));
        var e = Assert.Throws<ArgumentException>(() => data.Targets([2]));
        Assert.Contains("node 2 is unlabelled", e.Message, StringComparison.Ordinal);
    }
}
