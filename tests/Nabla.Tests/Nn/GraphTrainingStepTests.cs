using Nabla.Autograd;
using Nabla.Data;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Tests.Kernels;

namespace Nabla.Tests.Nn;

/// <summary>A full-batch GNN training step: what it allocates, and that thread counts do not change its numbers.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class GraphTrainingStepTests
{
    private sealed record Problem(GraphModule Model, Graph Graph, CsrMatrix Features, Tensor Train, Tensor Targets, Optimizer Optimizer);

    private static Problem Create(string kind, int nodes, Rng rng)
    {
        var random = SparseMatMulTests.RandomMatrix(nodes, nodes, 4.0 / nodes, 3, binary: true);
        var rp = random.RowPointers;
        var targetsOfEdges = new List<int>();
        for (int i = 0; i < nodes; i++)
            for (int p = rp[i]; p < rp[i + 1]; p++) targetsOfEdges.Add(i);
        var graph = Graph.FromEdges(nodes, random.ColumnIndices, [.. targetsOfEdges], symmetrize: true, selfLoops: true);
        var features = SparseMatMulTests.RandomMatrix(nodes, 300, 0.02, 4, binary: true);
        (GraphModule First, GraphModule Second) convs = kind switch
        {
            "gcn" => (new GCNConv(300, 16, rng), new GCNConv(16, 5, rng)),
            "sage" => (new SAGEConv(300, 16, rng), new SAGEConv(16, 5, rng)),
            _ => (new GATConv(300, 4, rng, heads: 4), new GATConv(16, 5, rng)),
        };
        var model = new GraphLayerTests.TwoLayer(convs.First, convs.Second, 0.5f, rng);
        var train = Enumerable.Range(0, nodes / 10).Select(i => i * 10).ToArray();
        var targets = Tensor.FromArray([.. train.Select(i => (float)(i % 5))], train.Length);
        return new Problem(model, graph, features, NodeData.Index(train), targets, new Adam(model.Parameters(), 1e-2f, weightDecay: 5e-4f));
    }

    private static void Step(Problem p, CrossEntropyLoss loss)
    {
        using var scope = TensorScope.Begin("graph step");
        p.Optimizer.ZeroGrad();
        loss.Forward(p.Model.Forward(p.Features, p.Graph).IndexSelect(0, p.Train), p.Targets).Backward();
        p.Optimizer.Step();
    }

    [Theory]
    [InlineData("gcn", 16)]
    [InlineData("sage", 16)]
    [InlineData("gat", 40)]
    public void A_steady_state_step_allocates_only_a_few_tensor_objects_whatever_the_graph_size(string kind, int budget)
    {
        long PerStep(int nodes)
        {
            var p = Create(kind, nodes, new Rng(5));
            var loss = new CrossEntropyLoss();
            return Nabla.Tests.AllocationProbe.PerCall(() => Step(p, loss), warmup: 5, calls: 20);
        }
        long small = PerStep(500), large = PerStep(3000);
        Assert.Equal(small, large);
        Nabla.Tests.AllocationProbe.AtMostTensorObjects(large, budget, $"a {kind} training step");
    }

    [Theory]
    [InlineData("gcn")]
    [InlineData("gat")]
    public void One_and_two_threads_train_to_identical_weights(string kind)
    {
        float[] Train(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            WorkerPool.MaxThreads = threads;
            try
            {
                var p = Create(kind, 4000, new Rng(6));
                var loss = new CrossEntropyLoss();
                for (int i = 0; i < 3; i++) Step(p, loss);
                return [.. p.Model.Parameters().SelectMany(t => t.ToArray())];
            }
            finally
            {
                WorkerPool.MaxThreads = saved;
            }
        }
        Assert.Equal(Train(1), Train(2));
    }
}
