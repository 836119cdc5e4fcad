using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class PerceptronTests
{
    // A new tensor per use: a static field first touched inside a TensorScope would be recycled with it.
    internal static Tensor Inputs => Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });

    [Theory]
    [InlineData(new float[] { 0, 0, 0, 1 })] // AND
    [InlineData(new float[] { 0, 1, 1, 1 })] // OR
    public void Learns_linearly_separable_gates_perfectly(float[] truth)
    {
        var p = new Perceptron(2, learningRate: 0.5f);
        var errors = p.Fit(Inputs, Tensor.FromArray(truth, 4), epochs: 20);
        Assert.Equal(0, errors[^1]);
        Assert.True(errors[0] > 0, "it started from zero weights, so it must have made mistakes");
        Assert.Equal(truth, p.Predict(Inputs).ToArray());
        Assert.Equal(new Shape(4, 1), p.Forward(Inputs).Shape);
    }

    [Fact]
    public void Never_gets_every_xor_row_right_in_any_epoch()
    {
        var p = new Perceptron(2);
        var errors = p.Fit(Inputs, Tensor.FromArray([0f, 1f, 1f, 0f], 4), epochs: 100);
        Assert.Equal(100, errors.Length);
        Assert.All(errors, e => Assert.True(e >= 1));
        var predictions = p.Predict(Inputs).ToArray();
        Assert.NotEqual([0f, 1f, 1f, 0f], predictions);
    }

    [Fact]
    public void Update_is_w_plus_eta_times_target_minus_output_times_x()
    {
        var p = new Perceptron(3, learningRate: 0.1f);
        // Zero weights output 0; target 1 → w = 0.1·x, b = 0.1.
        p.Fit(Tensor.FromArray(new float[,] { { 1, -2, 3 } }), Tensor.FromArray([1f], 1), epochs: 1);
        Assert.Equal([0.1f, -0.2f, 0.3f], p.Weight.ToArray(), new FloatEq(1e-6f));
        Assert.Equal(0.1f, p.Bias.Item(), 6);
    }

    [Fact]
    public void Bad_targets_and_shapes_are_rejected()
    {
        var p = new Perceptron(2);
        Assert.Throws<ArgumentException>(() => p.Fit(Inputs, Tensor.FromArray([0f, 2f, 1f, 0f], 4), 1));
        Assert.Throws<ShapeMismatchException>(() => p.Fit(Inputs, Tensor.FromArray([0f, 1f], 2), 1));
        Assert.Throws<ShapeMismatchException>(() => p.Predict(Tensor.Zeros(4, 3)));
    }

    private sealed class FloatEq(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => MathF.Abs(a - b) <= tol;

        public int GetHashCode(float obj) => 0;
    }
}
