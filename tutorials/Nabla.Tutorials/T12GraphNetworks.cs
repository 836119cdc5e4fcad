using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 12: a graph convolutional network on Zachary's karate club. Only the instructor (member 0) and the
/// administrator (33) are labelled and each member's only feature is who it is, so whatever the network learns
/// about the other 32 comes through the friendships: each GCN layer mixes a member's features with its friends'.
/// A dense network on the same features, without the graph, has nothing to go on.
/// </summary>
public sealed class GraphNetworks : Tutorial
{
    public override string Number => "12";
    public override string Slug => "graph-networks";
    public override string Title => "Graph neural networks";
    public override string Headline => "gcn_accuracy";
    public override double Floor => 0.9;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var club = KarateClub.Load();
        o.WriteLine($"{club.Graph}: {club.Classes[0]} vs {club.Classes[1]}, labelled: members 0 and 33");
        int[] labelled = [0, 33];
        var targets = club.Targets(labelled);
        var rng = new Rng(42);

        var gcn = new KarateGcn(KarateClub.NodeCount, 16, 2, rng);
        var identity = Tensor.Zeros(new Shape(KarateClub.NodeCount, KarateClub.NodeCount));
        for (int i = 0; i < KarateClub.NodeCount; i++) identity[i, i] = 1f;
        var mlp = new Sequential(new Dense(KarateClub.NodeCount, 16, rng), new ReLU(), new Dense(16, 2, rng));

        var gcnPredicted = Train(gcn.Parameters(), () => gcn.Forward(club.Features!, club.Graph), targets, labelled, () => gcn.Eval());
        var mlpPredicted = Train(mlp.Parameters(), () => mlp.Forward(identity), targets, labelled, () => mlp.Eval());
        double Accuracy(float[] predicted) =>
            Enumerable.Range(0, KarateClub.NodeCount).Where(m => !labelled.Contains(m)).Average(m => (int)predicted[m] == club.Labels[m] ? 1.0 : 0.0);
        var wrong = Enumerable.Range(0, KarateClub.NodeCount).Where(m => (int)gcnPredicted[m] != club.Labels[m]).ToArray();
        o.WriteLine($"GCN: {F(Accuracy(gcnPredicted))} of the 32 unlabelled members in the right faction (wrong: {(wrong.Length == 0 ? "none" : string.Join(", ", wrong))})");
        o.WriteLine($"dense network without the graph: {F(Accuracy(mlpPredicted))}");
        return
        [
            Figure("gcn_accuracy", Accuracy(gcnPredicted)),
            Figure("mlp_accuracy", Accuracy(mlpPredicted)),
        ];
    }

    // Semi-supervised: the loss sees only the labelled members' rows; 100 full-graph Adam steps.
    private static float[] Train(IEnumerable<Tensor> parameters, Func<Tensor> forward, Tensor targets, int[] labelled, Action eval)
    {
        var optimizer = new Adam(parameters, 1e-2f, weightDecay: 5e-4f);
        var index = NodeData.Index(labelled);
        var loss = new CrossEntropyLoss();
        for (int epoch = 0; epoch < 100; epoch++)
        {
            using var step = TensorScope.Begin("karate step");
            optimizer.ZeroGrad();
            loss.Forward(forward().IndexSelect(0, index), targets).Backward();
            optimizer.Step();
        }
        eval();
        using (GradMode.NoGrad()) return forward().ArgMax(1).ToArray();
    }

    /// <summary>Two graph convolutions, ReLU and dropout between them (PyG's GCN example).</summary>
    private sealed class KarateGcn : GraphModule
    {
        private readonly GCNConv _conv1, _conv2;
        private readonly Dropout _dropout;

        public KarateGcn(int features, int hidden, int classes, Rng rng)
        {
            _conv1 = RegisterModule("conv1", new GCNConv(features, hidden, rng));
            _conv2 = RegisterModule("conv2", new GCNConv(hidden, classes, rng));
            _dropout = RegisterModule("dropout", new Dropout(0.5f, rng));
        }

        public override Tensor Forward(NodeFeatures x, Graph graph) => _conv2.Forward(_dropout.Forward(_conv1.Forward(x, graph).Relu()), graph);
    }
}
