using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

public class LayerwisePretrainingTests
{
    [Fact]
    public void Each_hidden_layer_learns_to_reconstruct_its_input_and_the_output_layer_is_left_alone()
    {
        var rng = new Rng(1);
        // Inputs on a 3-dimensional subspace of R^8: a 4-unit code can reconstruct them.
        var basis = Tensor.Randn(new Shape(3, 8), rng).ToArray();
        var codes = Tensor.Randn(new Shape(256, 3), rng).ToArray();
        var x = new float[256 * 8];
        for (int r = 0; r < 256; r++)
            for (int j = 0; j < 8; j++)
                for (int k = 0; k < 3; k++) x[r * 8 + j] += codes[r * 3 + k] * basis[k * 8 + j];
        var mlp = new Sequential(new Dense(8, 6, rng), new Tanh(), new Dense(6, 4, rng), new Tanh(), new Dense(4, 2, rng));
        var head = ((Dense)mlp[4]).Weight.ToArray();
        var firstBefore = ((Dense)mlp[0]).Weight.ToArray();

        var histories = LayerwisePretraining.Pretrain(mlp, Tensor.FromArray(x, 256, 8), p => new Adam(p, 1e-2f), epochs: 15, rng, batchSize: 32);

        Assert.Equal(2, histories.Count);
        foreach (var h in histories) Assert.True(h.Loss[^1] < 0.5 * h.Loss[0], $"reconstruction loss {h.Loss[0]:F4} → {h.Loss[^1]:F4}");
        Assert.Equal(head, ((Dense)mlp[4]).Weight.ToArray());
        Assert.NotEqual(firstBefore, ((Dense)mlp[0]).Weight.ToArray());
    }

    [Fact]
    public void Models_it_cannot_pretrain_are_refused_with_the_reason()
    {
        var rng = new Rng(2);
        var x = Tensor.Randn(new Shape(4, 3), rng);
        var e = Assert.Throws<ArgumentException>(() => LayerwisePretraining.Pretrain(new Sequential(new Dense(3, 2, rng)), x, p => new SGD(p, 0.1f), 1, rng));
        Assert.StartsWith("layer-wise pre-training needs hidden dense layers below the output layer; the model has 1 dense layer(s)", e.Message);
        e = Assert.Throws<ArgumentException>(() => LayerwisePretraining.Pretrain(new Sequential(new Dense(3, 2, rng), new BatchNorm1d(2), new Dense(2, 2, rng)), x, p => new SGD(p, 0.1f), 1, rng));
        Assert.StartsWith("layer-wise pre-training takes dense layers and parameter-free layers; layer 1 is BatchNorm1d(2)", e.Message);
    }
}
