using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

public class RegularizedLossTests
{
    [Fact]
    public void A_regularized_loss_over_a_model_penalizes_dense_weights_but_not_batch_norm_gamma_or_biases()
    {
        var rng = new Rng(3);
        var model = new Sequential(new Dense(3, 4, rng), new BatchNorm1d(4), new ReLU(), new Dense(4, 2, rng));
        var x = Tensor.Randn(new Shape(8, 3), rng);
        var y = Tensor.FromArray([0f, 1f, 1f, 0f, 1f, 0f, 0f, 1f]);
        var named = model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);

        float Penalized(string name, out float[] gammaGrad)
        {
            model.ZeroGrad();
            var loss = new RegularizedLoss(new CrossEntropyLoss(), model, 0.05f, 0.1f).Forward(model.Forward(x), y);
            loss.Backward();
            gammaGrad = named[name].Grad!.ToArray();
            return loss.Item();
        }
        float Plain(string name, out float[] grad)
        {
            model.ZeroGrad();
            var loss = new CrossEntropyLoss().Forward(model.Forward(x), y);
            loss.Backward();
            grad = named[name].Grad!.ToArray();
            return loss.Item();
        }

        float regularized = Penalized("1.weight", out var gammaWithPenalty);
        float plain = Plain("1.weight", out var gammaWithout);
        // BatchNorm's γ starts at 1: penalized, it would add 0.05 + 0.2 to each gradient element.
        Assert.Equal(gammaWithout, gammaWithPenalty);
        double expected = 0;
        foreach (var w in new[] { named["0.weight"], named["3.weight"] })
            expected += w.ToArray().Sum(v => 0.05 * Math.Abs(v) + 0.1 * v * v);
        Assert.Equal(plain + expected, regularized, 5);
        Penalized("0.bias", out var biasWithPenalty);
        Plain("0.bias", out var biasWithout);
        Assert.Equal(biasWithout, biasWithPenalty);
    }
}
