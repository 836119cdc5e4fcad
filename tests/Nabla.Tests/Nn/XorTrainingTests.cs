using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

/// <summary>
/// End-to-end: small networks learn XOR by plain full-batch gradient descent on the mean squared
/// error, written inline so the test depends only on layers and autograd.
/// </summary>
public class XorTrainingTests
{
    private static Tensor Targets => Tensor.FromArray([0f, 1f, 1f, 0f], 4, 1);

    [Fact]
    public void Two_two_one_sigmoid_network_reaches_full_accuracy()
    {
        var rng = new Rng(SigmoidSeed);
        var model = new Sequential(new Dense(2, 2, rng), new Sigmoid(), new Dense(2, 1, rng), new Sigmoid());
        float finalLoss = Train(model, learningRate: 2f, steps: 3000);
        Assert.Equal(Targets.ToArray(), Predict(model));
        Assert.True(finalLoss < 0.05f, $"loss {finalLoss}");
    }

    [Fact]
    public void Two_four_one_relu_network_reaches_full_accuracy()
    {
        var rng = new Rng(ReluSeed);
        var model = new Sequential(new Dense(2, 4, rng), new ReLU(), new Dense(4, 1, rng), new Sigmoid());
        float finalLoss = Train(model, learningRate: 0.5f, steps: 2000);
        Assert.Equal(Targets.ToArray(), Predict(model));
        Assert.True(finalLoss < 0.05f, $"loss {finalLoss}");
    }

    internal const ulong SigmoidSeed = 1;
    internal const ulong ReluSeed = 1;

    private static float Train(Module model, float learningRate, int steps)
    {
        float loss = float.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            var error = model.Forward(PerceptronTests.Inputs) - Targets;
            var mse = error.Square().Mean();
            mse.Backward();
            loss = mse.Item();
            using (GradMode.NoGrad())
            {
                foreach (var p in model.Parameters())
                {
                    var value = p.AsSpan();
                    var grad = p.Grad!.AsSpan();
                    for (int i = 0; i < value.Length; i++) value[i] -= learningRate * grad[i];
                }
            }
            model.ZeroGrad();
        }
        return loss;
    }

    private static float[] Predict(Module model)
    {
        using var noGrad = GradMode.NoGrad();
        return model.Forward(PerceptronTests.Inputs).ToArray().Select(v => v > 0.5f ? 1f : 0f).ToArray();
    }
}
