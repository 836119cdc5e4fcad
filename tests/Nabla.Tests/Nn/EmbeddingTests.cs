using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class EmbeddingTests
{
    [Fact]
    public void Weights_are_standard_normal_with_a_zero_padding_row_under_pytorchs_name()
    {
        var layer = new Embedding(1000, 64, new Rng(1), paddingIdx: 0);
        var (name, w) = Assert.Single(layer.NamedParameters());
        Assert.Equal("weight", name);
        Assert.Equal(new Shape(1000, 64), w.Shape);
        var values = w.ToArray();
        Assert.All(values.Take(64), v => Assert.Equal(0f, v));
        var rest = values.Skip(64).ToArray();
        double mean = rest.Average(), std = Math.Sqrt(rest.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(std, 0.98, 1.02);
        Assert.Equal("Embedding(1000, 64, padding_idx=0)", layer.Describe());
    }

    [Fact]
    public void A_negative_padding_index_counts_from_the_end()
    {
        var layer = new Embedding(10, 3, new Rng(2), paddingIdx: -1);
        Assert.Equal(9, layer.PaddingIdx);
        Assert.All(layer.Weight.ToArray().Skip(27), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(10, 3, new Rng(2), paddingIdx: 10));
    }

    [Fact]
    public void From_pretrained_copies_the_table_and_freezes_it_unless_asked_not_to()
    {
        var table = Tensor.FromArray([0, 0, 1, 2, 3, 4], 3, 2);
        var frozen = Embedding.FromPretrained(table, paddingIdx: 0);
        Assert.True(frozen.IsFrozen);
        Assert.Equal(table.ToArray(), frozen.Weight.ToArray());
        var y = frozen.Forward(Tensor.FromArray([2, 1], 1, 2));
        Assert.False(y.RequiresGrad);
        Assert.Equal([3f, 4f, 1f, 2f], y.ToArray());
        Assert.Equal([1f, 1f], y.Mask!.ToArray());

        var trained = Embedding.FromPretrained(table, freeze: false);
        Assert.True(trained.Forward(Tensor.FromArray([2f], 1, 1)).RequiresGrad);
        table.AsSpan()[2] = 99f;
        Assert.Equal(1f, trained.Weight[1, 0]);
    }

    [Fact]
    public void Inside_a_sequential_padding_never_changes_the_pooled_result()
    {
        foreach (var pooling in new Module[] { new GlobalAveragePooling1D(), new GlobalMaxPooling1D() })
        {
            var rng = new Rng(3);
            var model = new Sequential(new Embedding(20, 4, rng, paddingIdx: 0), new Dropout(0.5f, new Rng(4)), new ReLU(), pooling);
            model.Eval();
            var shortRows = Tensor.FromArray([5, 7, 9, 3, 3, 0], 2, 3);
            var padded = Tensor.FromArray([5, 7, 9, 0, 0, 0, 3, 3, 0, 0, 0, 0], 2, 6);
            Assert.Equal(model.Forward(shortRows).ToArray(), model.Forward(padded).ToArray());
        }
    }

    [Fact]
    public void In_training_dropout_and_dense_carry_the_mask_and_a_layer_that_mixes_positions_drops_it()
    {
        var rng = new Rng(5);
        var ids = Tensor.FromArray([5, 7, 0, 0], 1, 4);
        var carried = new Sequential(new Embedding(10, 4, rng, paddingIdx: 0), new Dropout(0.3f, new Rng(6)), new Dense(4, 3, rng, activation: "tanh"));
        var y = carried.Forward(ids);
        Assert.Equal([1f, 1f, 0f, 0f], y.Mask!.ToArray());
        Assert.True(carried.SupportsMasking is false); // the embedding itself makes the mask, it does not pass one on

        var dropped = new Sequential(new Embedding(10, 4, rng, paddingIdx: 0), new Softmax(axis: 1));
        Assert.Null(dropped.Forward(ids).Mask);
    }

    [Fact]
    public void The_pooled_model_trains_only_the_rows_of_its_tokens()
    {
        var rng = new Rng(7);
        var embedding = new Embedding(30, 4, rng, paddingIdx: 0);
        var model = new Sequential(embedding, new GlobalAveragePooling1D(), new Dense(4, 1, rng));
        var before = embedding.Weight.ToArray();
        var optimizer = new Nabla.Optim.SGD(model.Parameters(), 0.5f);
        var loss = model.Forward(Tensor.FromArray([4, 9, 4, 0], 1, 4)).Square().Sum();
        loss.Backward();
        optimizer.Step();
        var after = embedding.Weight.ToArray();
        for (int row = 0; row < 30; row++)
        {
            bool changed = !after.AsSpan(row * 4, 4).SequenceEqual(before.AsSpan(row * 4, 4));
            Assert.Equal(row is 4 or 9, changed);
        }
    }
}
