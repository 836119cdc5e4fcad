using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Nn;

/// <summary>Transfer learning: <see cref="ModuleModes.Freeze{T}(T)"/>/<see cref="ModuleModes.Unfreeze{T}(T)"/> and dropping the last layers.</summary>
public class FreezeTests
{
    private static Sequential Net(Rng rng) => new(new Dense(4, 6, rng), new ReLU(), new BatchNorm1d(6), new Dense(6, 3, rng));

    private static float[] Copy(Tensor t) => t.ToArray();

    [Fact]
    public void A_frozen_base_gets_no_gradient_and_the_optimizer_moves_only_the_new_head()
    {
        var rng = new Rng(1);
        var trained = Net(rng);
        var frozenBase = trained[..^1].Freeze();
        var head = new Dense(6, 2, rng);
        var model = new Sequential(frozenBase, head);
        var baseBefore = frozenBase.Parameters().Select(Copy).ToList();
        var headBefore = head.Parameters().Select(Copy).ToList();

        var opt = new SGD(model.Parameters(), lr: 0.1f, momentum: 0.9f);
        var x = Tensor.Randn(new Shape(8, 4), new Rng(2));
        var y = Tensor.Randn(new Shape(8, 2), new Rng(3));
        for (int step = 0; step < 3; step++)
        {
            opt.ZeroGrad();
            new MSELoss().Forward(model.Forward(x), y).Backward();
            Assert.All(frozenBase.Parameters(), p => Assert.Null(p.Grad));
            Assert.All(head.Parameters(), p => Assert.NotNull(p.Grad));
            opt.Step();
        }

        Assert.Equal(baseBefore, frozenBase.Parameters().Select(Copy));
        Assert.All(head.Parameters().Zip(headBefore), pair => Assert.NotEqual(pair.Second, pair.First.ToArray()));
    }

    [Fact]
    public void Freeze_reaches_every_descendant_and_unfreeze_undoes_it()
    {
        var net = Net(new Rng(4));
        Assert.Same(net, net.Freeze());
        Assert.True(net.IsFrozen);
        Assert.All(net, layer => Assert.True(layer.IsFrozen));
        Assert.All(net.Parameters(), p => Assert.False(p.RequiresGrad));

        net[3].Unfreeze(); // fine-tune the last layer only
        Assert.Equal([false, false, false, true], net.Select(l => l.Parameters().All(p => p.RequiresGrad) && l.Parameters().Any()));
        net.Unfreeze();
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.DoesNotContain(net, layer => layer.IsFrozen);
    }

    [Fact]
    public void A_frozen_optimizer_parameter_keeps_its_value_even_with_a_stale_gradient()
    {
        var layer = new Dense(3, 2, new Rng(5));
        var opt = new Adam(layer.Parameters(), lr: 0.1f);
        var x = Tensor.Randn(new Shape(4, 3), new Rng(6));
        layer.Forward(x).Sum().Backward();
        var weight = layer.Weight;
        var grad = weight.Grad!; // a gradient computed before freezing …
        layer.Freeze();
        Assert.Null(weight.Grad); // … is dropped,
        weight.Grad = grad;       // and even if one is put back, the optimizer skips the frozen tensor.
        var before = weight.ToArray();
        opt.Step();
        Assert.Equal(before, weight.ToArray());
    }

    [Fact]
    public void Frozen_batch_norm_normalizes_with_its_running_statistics_in_training_mode_and_keeps_them()
    {
        var rng = new Rng(7);
        var bn = new BatchNorm1d(3);
        var warm = Tensor.Randn(new Shape(16, 3), rng);
        bn.Forward(warm); // running statistics move away from 0 and 1
        var x = Tensor.Randn(new Shape(5, 3), rng);
        var evalOut = bn.Eval().Forward(x).ToArray();
        var stats = bn.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

        bn.Freeze().Train();
        Assert.Equal(evalOut, bn.Forward(x).ToArray());
        foreach (var (name, value) in bn.StateDict()) Assert.Equal(stats[name], value.ToArray());

        bn.Unfreeze();
        Assert.NotEqual(evalOut, bn.Forward(x).ToArray()); // training mode again: batch statistics
    }

    [Fact]
    public void Dropping_the_last_layers_shares_the_trained_modules_and_keeps_the_prefix_names()
    {
        var net = Net(new Rng(8));
        var body = net[..^1];
        Assert.Equal(3, body.Count);
        Assert.Same(net[0], body[0]);
        Assert.Same(net[2], body[2]);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked"], body.StateDict().Keys);
        Assert.Equal(new[] { net[1], net[2] }, net[1..3]);
        Assert.Empty(net[..0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => net[..5]);
    }

    [Fact]
    public void Per_group_learning_rates_train_the_base_slower_than_the_head()
    {
        var rng = new Rng(9);
        var body = new Dense(2, 2, rng);
        var head = new Dense(2, 1, rng);
        var model = new Sequential(body, head);
        var opt = new SGD([new ParameterGroup(body.Parameters(), lr: 0f), new ParameterGroup(head.Parameters())], lr: 0.1f);
        var before = body.Weight.ToArray();
        opt.ZeroGrad();
        model.Forward(Tensor.Randn(new Shape(4, 2), rng)).Sum().Backward();
        opt.Step();
        Assert.Equal(before, body.Weight.ToArray()); // lr 0 on the base, which still received a gradient
        Assert.NotNull(body.Weight.Grad);
    }

    [Fact]
    public void Fit_refuses_a_model_whose_parameters_are_all_frozen()
    {
        var net = Net(new Rng(10)).Freeze();
        var x = Tensor.Randn(new Shape(8, 4), new Rng(11));
        var y = Tensor.Randn(new Shape(8, 3), new Rng(12));
        var e = Assert.Throws<NablaException>(() => net.Fit(x, y, new SGD(net.Parameters(), 0.1f), new MSELoss(), epochs: 1));
        Assert.StartsWith("nothing to train: all 6 parameters of the model are frozen", e.Message);
    }
}
