using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// The worked example of the backpropagation lecture (also Matt Mazur's "A Step by Step
/// Backpropagation Example"): a 2-2-2 sigmoid network with inputs i₁ = 0.05, i₂ = 0.10, targets
/// 0.01 and 0.99, W₁ = [[0.15, 0.20], [0.25, 0.30]] (w1…w4), b₁ = 0.35, W₂ = [[0.40, 0.45],
/// [0.50, 0.55]] (w5…w8), b₂ = 0.60, error E = Σ ½(target − out)² and plain gradient descent with
/// η = 0.5. One <see cref="StepTrace"/> of it reproduces the published figures: out_o1 = 0.75136507,
/// E_total = 0.298371109, w5⁺ = 0.35891648, w1⁺ = 0.149780716.
/// </summary>
/// <remarks>
/// The lecture has one bias per layer shared by its units and does not update it. A
/// <see cref="Dense"/> layer has one bias per unit: here each unit's bias starts at the layer's shared
/// value (which gives the same forward pass), and <see cref="Optimizer"/> leaves the biases alone
/// (learning rate 0), as the walkthrough does; their gradients are still computed.
/// </remarks>
public static class LectureExample
{
    /// <summary>The lecture's learning rate η.</summary>
    public const float LearningRate = 0.5f;

    /// <summary>A new copy of the network: dense(2) sigmoid dense(2) sigmoid, weights [out, in].</summary>
    public static Sequential Model() => new(
        Dense.FromWeights(Tensor.FromArray(new float[,] { { 0.15f, 0.20f }, { 0.25f, 0.30f } }), Tensor.FromArray([0.35f, 0.35f], 2)),
        new Sigmoid(),
        Dense.FromWeights(Tensor.FromArray(new float[,] { { 0.40f, 0.45f }, { 0.50f, 0.55f } }), Tensor.FromArray([0.60f, 0.60f], 2)),
        new Sigmoid());

    /// <summary>The input batch [[0.05, 0.10]].</summary>
    public static Tensor Input() => Tensor.FromArray([0.05f, 0.10f], 1, 2);

    /// <summary>The target [[0.01, 0.99]].</summary>
    public static Tensor Target() => Tensor.FromArray([0.01f, 0.99f], 1, 2);

    /// <summary>
    /// Plain gradient descent w⁺ = w − η·∂E/∂w on the weights of <paramref name="model"/>, with the
    /// biases in a group of learning rate 0 (the lecture does not update them).
    /// </summary>
    public static Optimizer Optimizer(Module model, double learningRate = LearningRate)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new SGD([new ParameterGroup(model.Parameters(ParameterRole.Weight)), new ParameterGroup(model.Parameters(ParameterRole.Bias), lr: 0f)], learningRate);
    }

    /// <summary>The lecture's step on a new copy of the network, recorded.</summary>
    public static StepTrace Run(double learningRate = LearningRate)
    {
        var model = Model();
        return StepTrace.Record(model, Input(), Target(), new HalfSquaredErrorLoss(), Optimizer(model, learningRate));
    }
}
