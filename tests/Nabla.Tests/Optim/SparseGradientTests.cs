using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

/// <summary>The row-sparse fast paths give the dense rules' numbers, bit for bit.</summary>
public class SparseGradientTests
{
    private static readonly float[][] Batches = [[3, 8, 3, 0], [8, 1, 0, 0], [5, 5, 9, 2]];

    private static float[] Train(Func<IEnumerable<Tensor>, Optimizer> make, bool forceDense)
    {
        var layer = new Embedding(12, 6, new Rng(21), paddingIdx: 0);
        var optimizer = make(layer.Parameters());
        var upstream = Tensor.Randn(new Shape(1, 4, 6), new Rng(22));
        foreach (var ids in Batches)
        {
            optimizer.ZeroGrad();
            layer.Forward(Tensor.FromArray(ids, 1, 4)).Backward(upstream);
            Assert.True(layer.Weight.TryGetGradRows(out _));
            // Taking the gradient for writing ends the row record: the optimizer must use the dense rule.
            if (forceDense) _ = layer.Weight.Grad!.AsSpan();
            Assert.Equal(!forceDense, layer.Weight.TryGetGradRows(out _));
            optimizer.Step();
        }
        return layer.Weight.ToArray();
    }

    [Fact]
    public void Sgd_without_momentum_updates_only_the_rows_and_matches_the_dense_rule()
    {
        Assert.Equal(Train(p => new SGD(p, 0.1f), forceDense: true), Train(p => new SGD(p, 0.1f), forceDense: false));
    }

    [Fact]
    public void Adagrad_updates_only_the_rows_and_matches_the_dense_rule()
    {
        Func<IEnumerable<Tensor>, Optimizer> make = p => new Adagrad(p, 0.1f, lrDecay: 0.01f, initialAccumulatorValue: 0.1f);
        Assert.Equal(Train(make, forceDense: true), Train(make, forceDense: false));
    }

    [Fact]
    public void Weight_decay_keeps_the_dense_rule_and_moves_every_row()
    {
        var layer = new Embedding(6, 2, new Rng(23));
        var before = layer.Weight.ToArray();
        var optimizer = new SGD(layer.Parameters(), 0.1f, weightDecay: 0.5f);
        layer.Forward(Tensor.FromArray([1f], 1)).Sum().Backward();
        optimizer.Step();
        var after = layer.Weight.ToArray();
        for (int i = 0; i < after.Length; i++) Assert.NotEqual(before[i], after[i]);
    }

    [Fact]
    public void SparseAdam_on_a_dense_gradient_updates_every_row_like_its_formula()
    {
        var p = Tensor.FromArray([1f, -2f]).RequireGrad();
        p.Grad = Tensor.FromArray([0.5f, 0f]);
        var optimizer = new SparseAdam([p], lr: 0.1f);
        optimizer.Step();
        // m = 0.1·g, v = 0.001·g², step size 0.1·√0.001/0.1: p − 0.1·sign(g) for g ≠ 0, unchanged for g = 0.
        Assert.Equal(0.9f, p[0], 5);
        Assert.Equal(-2f, p[1]);
    }
}
