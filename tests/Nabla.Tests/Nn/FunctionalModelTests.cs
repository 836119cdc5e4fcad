using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Nn;

[Collection(ProcessWideStateCollection.Name)]
public sealed class FunctionalModelTests
{
    /// <summary>Counts its forward passes (an identity), to see which steps run.</summary>
    private sealed class Counting : Module
    {
        public int Calls { get; private set; }
        public override Tensor Forward(Tensor input)
        {
            Calls++;
            return input;
        }
    }

    /// <summary>input → dense → tanh → shared → tanh → shared → head, with an auxiliary head on the first shared output.</summary>
    private static (FunctionalModel Model, Dense Shared) TwoHeads(Rng rng)
    {
        var input = FunctionalModel.Input(4);
        var shared = new Dense(6, 6, rng);
        var act = new Tanh();
        var h = act.Apply(new Dense(4, 6, rng).Apply(input));
        var mid = act.Apply(shared.Apply(h));
        var aux = new Dense(6, 3, rng).Apply(mid, "aux");
        var main = new Dense(6, 3, rng).Apply(act.Apply(shared.Apply(mid)), "head");
        return (new FunctionalModel([input], [main, aux]), shared);
    }

    [Fact]
    public void A_chain_written_functionally_has_the_state_dict_and_outputs_of_the_same_sequential()
    {
        var rng = new Rng(1);
        var layers = new Module[] { new Dense(5, 8, rng), new ReLU(), new Dense(8, 3, rng) };
        var input = FunctionalModel.Input(5);
        var y = input;
        foreach (var layer in layers) y = layer.Apply(y);
        var functional = new FunctionalModel([input], [y]);
        var sequential = new Sequential(layers);
        Assert.Equal(sequential.StateDict().Keys, functional.StateDict().Keys);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], functional.StateDict().Keys);
        var x = Tensor.Randn(new Shape(4, 5), new Rng(2));
        Assert.Equal(sequential.Forward(x).ToArray(), functional.Forward(x).ToArray());
    }

    [Fact]
    public void A_module_applied_twice_is_registered_once_and_given_names_are_kept()
    {
        var (model, shared) = TwoHeads(new Rng(3));
        // Named by first use: the first dense "0", the tanh (applied three times) "1", the shared dense "2".
        Assert.Equal(["0", "1", "2", "aux", "head"], model.NamedChildren().Select(c => c.Name));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "aux.weight", "aux.bias", "head.weight", "head.bias"], model.StateDict().Keys);
        Assert.Same(shared.Weight, model.StateDict()["2.weight"]);
        Assert.Equal(6 * 4 + 6 + 6 * 6 + 6 + 2 * (6 * 3 + 3), model.ParameterCount());
    }

    [Fact]
    public void ForwardAll_returns_every_output_and_Forward_runs_only_the_steps_of_the_main_output()
    {
        var rng = new Rng(4);
        var input = FunctionalModel.Input(3);
        var trunk = new Dense(3, 3, rng);
        var probe = new Counting();
        var h = trunk.Apply(input);
        var aux = probe.Apply(h);
        var main = new Sigmoid().Apply(h);
        var model = new FunctionalModel([input], [main, aux]);
        var x = Tensor.Randn(new Shape(2, 3), new Rng(5));
        int before = probe.Calls;
        var outputs = model.ForwardAll(x);
        Assert.Equal(2, outputs.Length);
        Assert.Equal(before + 1, probe.Calls);
        Assert.Equal(trunk.Forward(x).ToArray(), outputs[1].ToArray());
        Assert.Equal(outputs[0].ToArray(), model.Forward(x).ToArray());
        Assert.Equal(before + 1, probe.Calls); // Forward skipped the auxiliary branch
    }

    [Fact]
    public void Wrong_graphs_and_inputs_are_refused_with_a_message_naming_the_problem()
    {
        var rng = new Rng(6);
        var a = FunctionalModel.Input(4);
        var b = FunctionalModel.Input(4);
        var dense = new Dense(4, 2, rng);
        var e1 = Assert.Throws<ArgumentException>(() => new FunctionalModel([a], [dense.Apply(b)]));
        Assert.Contains("not among the model's inputs", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => new FunctionalModel([a], [dense.Apply(a, "x"), dense.Apply(a, "y")]));
        Assert.Contains("two names", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentException>(() => new FunctionalModel([a], [new Dense(4, 2, rng).Apply(a, "x"), new Dense(4, 2, rng).Apply(a, "x")]));
        Assert.Contains("two modules are named 'x'", e3.Message, StringComparison.Ordinal);
        var e4 = Assert.Throws<ShapeMismatchException>(() => new Dense(5, 2, rng).Apply(a));
        Assert.Contains("Input[4]", e4.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Dense(2).Apply(a)); // lazy and not built
        var model = new FunctionalModel([a], [dense.Apply(a)]);
        var e5 = Assert.Throws<ShapeMismatchException>(() => model.Forward(Tensor.Zeros(new Shape(3, 5))));
        Assert.Equal("functional model input 0 expects [N, 4], got [3, 5]", e5.Message);
        var two = new FunctionalModel([a, b], [dense.Apply(a), dense.Apply(b)]);
        Assert.Throws<InvalidOperationException>(() => two.Forward(Tensor.Zeros(new Shape(1, 4))));
        Assert.Equal(2, two.ForwardAll(Tensor.Zeros(new Shape(1, 4)), Tensor.Ones(new Shape(1, 4))).Length);
    }

    [Fact]
    public void Weights_saved_as_safetensors_load_into_a_model_built_by_the_same_code()
    {
        string path = Path.Combine(Path.GetTempPath(), $"functional-{Guid.NewGuid():N}.safetensors");
        try
        {
            var (trained, _) = TwoHeads(new Rng(7));
            Safetensors.Save(path, trained.StateDict());
            var (fresh, _) = TwoHeads(new Rng(8));
            var x = Tensor.Randn(new Shape(3, 4), new Rng(9));
            Assert.NotEqual(trained.Forward(x).ToArray(), fresh.Forward(x).ToArray());
            fresh.LoadStateDict(Safetensors.Load(path).Tensors);
            var expected = trained.ForwardAll(x);
            var actual = fresh.ForwardAll(x);
            for (int o = 0; o < 2; o++) Assert.Equal(expected[o].ToArray(), actual[o].ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Freeze_and_eval_reach_the_modules_of_the_graph()
    {
        var (model, shared) = TwoHeads(new Rng(10));
        model.Eval();
        Assert.False(shared.IsTraining);
        model.Train();
        ((Module)shared).Freeze();
        Assert.False(shared.Weight.RequiresGrad);
        Assert.True(model.StateDict()["aux.weight"].RequiresGrad);
    }

    [Fact]
    public void MultiOutputLoss_is_the_weighted_sum_of_each_outputs_loss()
    {
        var (model, _) = TwoHeads(new Rng(11));
        var x = Tensor.Randn(new Shape(5, 4), new Rng(12));
        var y = Tensor.FromArray([0f, 1f, 2f, 1f, 0f], 5);
        var outputs = model.ForwardAll(x);
        var ce = new CrossEntropyLoss();
        var loss = new MultiOutputLoss([ce, ce], [1f, 0.3f]);
        float total = loss.Forward(outputs, y).Item();
        float main = ce.Forward(outputs[0], y).Item(), aux = ce.Forward(outputs[1], y).Item();
        Assert.Equal(main + 0.3f * aux, total, 1e-5f);
        Assert.Equal([main, aux], loss.LastValues.ToArray());
        Assert.Throws<InvalidOperationException>(() => loss.Forward(outputs[0], y));
        Assert.Throws<ArgumentException>(() => new MultiOutputLoss([ce, ce], [1f]));
        Assert.Throws<ArgumentException>(() => new MultiOutputLoss([ce], [-1f]));
        var e = Assert.Throws<NablaException>(() => new Sequential(new Dense(4, 3, new Rng(1))).Fit(x, y, new SGD(model.Parameters(), 0.1f), loss, epochs: 1));
        Assert.Contains("FunctionalModel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_with_an_auxiliary_head_learns_digits_and_logs_each_outputs_loss()
    {
        var data = SklearnCsv.Load(TestData.Path_("sklearn", "digits.csv.gz"));
        var (train, test) = Splits.TrainTestSplit(new Dataset(data.Features, data.Labels), 0.2, new Rng(1), stratify: data.Labels);
        var scaler = Standardizer.Fit(train.X);
        var rng = new Rng(13);
        var input = FunctionalModel.Input(64);
        var h = new ReLU().Apply(new Dense(64, 64, rng).Apply(input));
        var aux = new Dense(64, 10, rng).Apply(h, "aux");
        var main = new Dense(64, 10, rng).Apply(new ReLU().Apply(new Dense(64, 64, rng).Apply(h)));
        var model = new FunctionalModel([input], [main, aux]);
        var loss = new MultiOutputLoss([new CrossEntropyLoss(), new CrossEntropyLoss()], [1f, 0.3f]);
        var history = model.Fit(scaler.Transform(train.X), train.Y, new Adam(model.Parameters(), 1e-3f), loss, epochs: 15,
            validationData: (scaler.Transform(test.X), test.Y), metrics: [new Accuracy()], rng: rng);
        var last = history.Epochs[^1];
        Assert.Equal(last["output_0_loss"] + 0.3 * last["output_1_loss"], last["loss"], 1e-4);
        Assert.Equal(last["val_output_0_loss"] + 0.3 * last["val_output_1_loss"], last["val_loss"], 1e-4);
        Assert.True(last["val_accuracy"] >= 0.95, $"validation accuracy of the main output {last["val_accuracy"]}");
        var result = model.Evaluate(scaler.Transform(test.X), test.Y, loss, [new Accuracy()]);
        Assert.Equal(last["val_output_0_loss"], result.Metrics["output_0_loss"], 1e-5);
        Assert.Equal(last["val_accuracy"], result.Metrics["accuracy"], 1e-9);
    }
}
