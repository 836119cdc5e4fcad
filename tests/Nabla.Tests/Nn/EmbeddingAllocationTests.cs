using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Nn;

[Collection(ProcessWideStateCollection.Name)]
public class EmbeddingAllocationTests
{
    // The seed text model (embedding → masked mean → dense relu → dense) on batches of 32 texts.
    private static long PerStep(int vocabulary, Func<IEnumerable<Tensor>, Optimizer> make)
    {
        var rng = new Rng(31);
        var model = new Sequential(new Embedding(vocabulary, 64, rng, paddingIdx: 0), new GlobalAveragePooling1D(),
            new Dense(64, 32, rng, activation: "relu"), new Dense(32, 5, rng));
        var ids = new float[128 * 20];
        for (int k = 0; k < ids.Length; k++) ids[k] = k % 20 < 15 ? 1 + rng.NextInt(vocabulary - 1) : 0;
        var x = Tensor.FromArray(ids, 128, 20);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 128).Select(i => (float)(i % 5))]);
        var optimizer = make(model.Parameters());
        var source = new DataLoader(new Dataset(x, y), 32, shuffle: true, rng: rng);
        source.StartEpoch();
        var loss = new CrossEntropyLoss();
        int i = 0;
        return AllocationProbe.PerCall(() => TrainingStep.Run(model, loss, optimizer, source, i++ % source.BatchCount, null, out _), warmup: 40, calls: 40);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adagrad")]
    [InlineData("sparse_adam")]
    [InlineData("adam")]
    public void A_training_step_allocates_a_few_tensor_objects_whatever_the_vocabulary_size(string name)
    {
        Func<IEnumerable<Tensor>, Optimizer> make = name switch
        {
            "sgd" => p => new SGD(p, 0.1f),
            "adagrad" => p => new Adagrad(p, 0.1f),
            "sparse_adam" => p => new SparseAdam(p, 1e-3f),
            _ => p => new Adam(p, 1e-3f),
        };
        long small = PerStep(1_000, make), large = PerStep(50_000, make);
        Assert.Equal(small, large);
        AllocationProbe.AtMostTensorObjects(large, 16, $"a text-model step with {name}");
    }
}
