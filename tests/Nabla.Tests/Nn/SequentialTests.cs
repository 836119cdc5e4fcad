using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class SequentialTests
{
    private static Sequential Mlp(Rng rng) => new(new Dense(4, 3, rng), new ReLU(), new BatchNorm1d(3), new Dense(3, 2, rng));

    [Fact]
    public void State_dict_names_equal_pytorchs_for_dense_relu_batchnorm_dense()
    {
        string[] expected =
        [
            "0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked", "3.weight", "3.bias",
        ];
        Assert.Equal(expected, Mlp(new Rng(1)).StateDict().Keys); // PyTorch's order: each module's parameters, buffers, then children
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"], Mlp(new Rng(1)).NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Load_state_dict_round_trip_reproduces_outputs_and_running_stats()
    {
        var source = Mlp(new Rng(1));
        var x = Tensor.Randn(new Shape(8, 4), new Rng(2));
        source.Forward(x); // one training step moves the running statistics
        source.Eval();
        var target = Mlp(new Rng(99)).Eval();
        Assert.NotEqual(source.Forward(x).ToArray(), target.Forward(x).ToArray());
        target.LoadStateDict(source.StateDict());
        Assert.Equal(source.Forward(x).ToArray(), target.Forward(x).ToArray());
        Assert.Equal(1f, target.StateDict()["2.num_batches_tracked"].Item());
        Assert.Equal(source.StateDict()["2.running_var"].ToArray(), target.StateDict()["2.running_var"].ToArray());
    }

    [Fact]
    public void Forward_applies_layers_in_order()
    {
        var seq = new Sequential(Dense.FromWeights(Tensor.FromArray(new float[,] { { 1, -1 } })), new ReLU());
        Assert.Equal([2f, 0f], seq.Forward(Tensor.FromArray(new float[,] { { 3, 1 }, { 1, 3 } })).ToArray());
        var reversed = new Sequential(new ReLU(), Dense.FromWeights(Tensor.FromArray(new float[,] { { 1, -1 } })));
        Assert.Equal([-1f, 2f], reversed.Forward(Tensor.FromArray(new float[,] { { -3, 1 }, { 2, -1 } })).ToArray());
    }

    [Fact]
    public void Add_chains_and_indexer_and_count_expose_layers()
    {
        var relu = new ReLU();
        var seq = new Sequential().Add(new Dense(3)).Add(relu);
        Assert.Equal(2, seq.Count);
        Assert.Same(relu, seq[1]);
        Assert.Equal(["0", "1"], seq.NamedChildren().Select(c => c.Name));
        var init = new Sequential { new Flatten(), new Dense(2) };
        Assert.Equal(2, init.Count);
    }

    [Fact]
    public void Build_infers_each_lazy_layers_input_size_through_other_layers()
    {
        var seq = new Sequential(new Flatten(), new Dense(16, "relu"), new Dropout(0.5f, new Rng(1)), new BatchNorm1d(16), new Dense(10));
        Assert.False(seq.IsBuilt);
        seq.Build(new Shape(1, 2, 3, 4), new Rng(7));
        Assert.True(seq.IsBuilt);
        Assert.Equal(new Shape(16, 24), ((Dense)seq[1]).Weight.Shape);
        Assert.Equal(new Shape(10, 16), ((Dense)seq[4]).Weight.Shape);
        Assert.Equal(16 * 24 + 16 + 16 + 16 + 10 * 16 + 10, seq.ParameterCount());
        // Building ran in evaluation mode: the model is still training and no statistics moved.
        Assert.True(seq.IsTraining && seq[2].IsTraining && seq[3].IsTraining);
        Assert.Equal(0, ((BatchNorm1d)seq[3]).NumBatchesTracked);
        Assert.Equal(new Shape(5, 10), seq.Forward(Tensor.Ones(5, 2, 3, 4)).Shape);
    }

    [Fact]
    public void Build_keeps_mixed_train_and_eval_modes_of_children()
    {
        var seq = new Sequential(new Dense(3), new Dropout(0.5f, new Rng(1)));
        seq[1].Eval();
        seq.Build(new Shape(2, 4), new Rng(1));
        Assert.True(seq.IsTraining && seq[0].IsTraining);
        Assert.False(seq[1].IsTraining);
    }

    [Fact]
    public void Build_with_a_shape_that_does_not_fit_an_eager_layer_names_the_shape()
    {
        var seq = new Sequential(new Dense(4, 3, new Rng(1)), new Dense(2));
        var ex = Assert.Throws<ShapeMismatchException>(() => seq.Build(new Shape(1, 5), new Rng(1)));
        Assert.Contains("[1, 5]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_sequentials_build_and_name_parameters_with_dotted_paths()
    {
        var seq = new Sequential(new Sequential(new Dense(5), new Tanh()), new Dense(1)).Build(new Shape(1, 3), new Rng(1));
        Assert.Equal(["0.0.weight", "0.0.bias", "1.weight", "1.bias"], seq.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(1, 5), ((Dense)seq[1]).Weight.Shape);
    }

    [Fact]
    public void Train_and_eval_reach_every_layer()
    {
        var seq = Mlp(new Rng(1));
        seq.Eval();
        Assert.All(seq, m => Assert.False(m.IsTraining));
        seq.Train();
        Assert.All(seq, m => Assert.True(m.IsTraining));
    }

    [Fact]
    public void Gradients_reach_every_parameter_through_the_chain()
    {
        var seq = Mlp(new Rng(3));
        seq.Forward(Tensor.Randn(new Shape(6, 4), new Rng(4))).Sum().Backward();
        Assert.All(seq.Parameters(), p => Assert.NotNull(p.Grad));
    }
}
