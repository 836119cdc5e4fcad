using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>Gradients through a <see cref="FunctionalModel"/>: a module shared by two steps and two weighted outputs.</summary>
public sealed class FunctionalModelGradCheckTests
{
    /// <summary>input → dense → tanh → shared → tanh → shared → head, and an auxiliary head after the first shared step.</summary>
    private static FunctionalModel Model(Rng rng)
    {
        var input = FunctionalModel.Input(3);
        var shared = new Dense(4, 4, rng);
        var h = new Tanh().Apply(shared.Apply(new Tanh().Apply(new Dense(3, 4, rng).Apply(input))));
        var aux = new Dense(4, 3, rng).Apply(h, "aux");
        var main = new Dense(4, 3, rng).Apply(new Sigmoid().Apply(shared.Apply(h)));
        return new FunctionalModel([input], [main, aux]);
    }

    [Fact]
    public void Both_outputs_have_the_gradients_of_finite_differences_for_inputs_and_every_parameter()
    {
        var model = Model(new Rng(1));
        var x = GradAssert.Param(new Rng(2), 1f, 2, 3);
        var w = Tensor.Randn(new Shape(2, 3), new Rng(3));
        var v = Tensor.Randn(new Shape(2, 3), new Rng(4));
        // Σ w·main + Σ v·aux: each output reaches the shared weights by its own paths.
        GradAssert.Passes(t =>
        {
            var outputs = model.ForwardAll(t[0]);
            return (outputs[0] * w).Sum() + (outputs[1] * v).Sum();
        }, [x, .. model.Parameters()]);
    }

    [Fact]
    public void A_weighted_multi_output_loss_has_the_gradients_of_finite_differences()
    {
        var model = Model(new Rng(5));
        var x = GradAssert.Param(new Rng(6), 1f, 4, 3);
        var y = Tensor.FromArray([0f, 2f, 1f, 0f], 4);
        var loss = new MultiOutputLoss([new CrossEntropyLoss(), new CrossEntropyLoss()], [1f, 0.3f]);
        GradAssert.Passes(t => loss.Forward(model.ForwardAll(t[0]), y),
            [x, .. model.Parameters()]);
    }
}
