using Nabla.IO;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Docs;

/// <summary>The README's "Auxiliary outputs" example, kept compiling and correct.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class ReadmeAuxiliaryOutputsTests
{
    [Fact]
    public void Auxiliary_outputs_example_trains_both_heads_and_saves_the_names_the_readme_states()
    {
        var rng = new Rng(0);
        var x = Tensor.Rand(new Shape(64, 784), rng);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 64).Select(i => (float)(i % 10))]);
        Module dense1 = new Dense(784, 64, rng), dense2 = new Dense(64, 64, rng), dense3 = new Dense(64, 64, rng);
        Module head = new Dense(64, 10, rng), auxHead = new Dense(64, 10, rng), act = new Sigmoid();
        string path = Path.Combine(Path.GetTempPath(), $"readme-aux-{Guid.NewGuid():N}.safetensors");

        var input = FunctionalModel.Input(784);                                   // one sample's shape, no batch axis
        var low = act.Apply(dense2.Apply(act.Apply(dense1.Apply(input))));        // modules applied to symbolic values
        var aux = auxHead.Apply(low, "aux");                                      // an auxiliary output at an intermediate layer
        var main = head.Apply(act.Apply(dense3.Apply(low)), "head");
        var model = new FunctionalModel([input], [main, aux]);                   // a Module: Parameters, StateDict, Freeze, Eval
        var loss = new MultiOutputLoss([new CrossEntropyLoss(), new CrossEntropyLoss()], [1f, 0.3f]);
        var history = model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), loss, epochs: 10); // logs loss, output_0_loss, output_1_loss
        Tensor[] outputs = model.ForwardAll(x);                                  // [main, aux]; model.Forward(x) is main alone
        Safetensors.Save(path, model.StateDict());                               // 0.weight, 0.bias, 2.weight, …, aux.weight, head.weight

        try
        {
            // Named by position among the modules (the sigmoid is "1"; "aux" is the fourth), or by the name given.
            string[] names = ["0.weight", "0.bias", "2.weight", "2.bias", "aux.weight", "aux.bias", "4.weight", "4.bias", "head.weight", "head.bias"];
            Assert.Equal(names, model.StateDict().Keys);
            Assert.Equal(names.Order(StringComparer.Ordinal), Safetensors.Load(path).Tensors.Keys.Order(StringComparer.Ordinal));
            Assert.True(history.Epochs[^1]["output_0_loss"] < history.Epochs[0]["output_0_loss"]);
            Assert.True(history.Epochs[^1]["output_1_loss"] < history.Epochs[0]["output_1_loss"]);
            Assert.Equal(new Shape(64, 10), outputs[1].Shape);
            Assert.Equal(outputs[0].ToArray(), model.Forward(x).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
