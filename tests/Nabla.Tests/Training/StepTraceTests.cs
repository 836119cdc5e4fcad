using System.Globalization;
using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

public class StepTraceTests
{
    /// <summary>
    /// Asserts <paramref name="actual"/> equals a figure published with <paramref name="printed"/>'s
    /// digits: within half a unit of its last printed decimal, widened by float32's resolution
    /// (a few units in the last place of the value; float32 holds about 7 significant digits, the
    /// lecture prints up to 9).
    /// </summary>
    private static void Published(string printed, float actual, string what)
    {
        double value = double.Parse(printed, CultureInfo.InvariantCulture);
        int decimals = printed.Length - printed.IndexOf('.', StringComparison.Ordinal) - 1;
        float f = MathF.Abs((float)value);
        double ulp = (double)MathF.BitIncrement(f) - f;
        double tolerance = 0.5 * Math.Pow(10, -decimals) + 4 * ulp;
        Assert.True(Math.Abs(actual - value) <= tolerance, $"{what}: got {actual:R}, the lecture has {printed} (±{tolerance:G2})");
    }

    [Fact]
    public void The_lecture_example_reproduces_every_published_figure()
    {
        var t = LectureExample.Run();
        // Layers: 0 Dense (net_h), 1 Sigmoid (out_h), 2 Dense (net_o), 3 Sigmoid (out_o).
        Published("0.3775", t.Layers[0].Output[0, 0], "net_h1");
        Published("0.593269992", t.Layers[1].Output[0, 0], "out_h1");
        Published("0.596884378", t.Layers[1].Output[0, 1], "out_h2");
        Published("1.105905967", t.Layers[2].Output[0, 0], "net_o1");
        Published("0.75136507", t.Layers[3].Output[0, 0], "out_o1");
        Published("0.772928465", t.Layers[3].Output[0, 1], "out_o2");
        Published("0.298371109", t.Loss, "E_total");

        Published("0.74136507", t.Layers[3].OutputGradient[0, 0], "∂E/∂out_o1");
        Published("0.138498562", t.Layers[2].OutputGradient[0, 0], "δ_o1 = ∂E/∂net_o1");
        Published("0.186815602", t.Layers[2].OutputGradient[0, 0] / t.Layers[3].OutputGradient[0, 0], "∂out_o1/∂net_o1");
        Published("0.036350306", t.Layers[1].OutputGradient[0, 0], "∂E/∂out_h1");
        Published("0.241300709", t.Layers[0].OutputGradient[0, 0] / t.Layers[1].OutputGradient[0, 0], "∂out_h1/∂net_h1");

        var w2 = t.Layers[2].Parameters[0];
        Assert.Equal("2.weight", w2.Name);
        Published("0.082167041", w2.Gradient[0, 0], "∂E/∂w5");
        Published("0.35891648", w2.Updated[0, 0], "w5⁺");
        Published("0.408666186", w2.Updated[0, 1], "w6⁺");
        Published("0.511301270", w2.Updated[1, 0], "w7⁺");
        Published("0.561370121", w2.Updated[1, 1], "w8⁺");

        var w1 = t.Layers[0].Parameters[0];
        Assert.Equal("0.weight", w1.Name);
        Published("0.000438568", w1.Gradient[0, 0], "∂E/∂w1");
        Published("0.149780716", w1.Updated[0, 0], "w1⁺");
        Published("0.19956143", w1.Updated[0, 1], "w2⁺");
        Published("0.24975114", w1.Updated[1, 0], "w3⁺");
        Published("0.29950229", w1.Updated[1, 1], "w4⁺");

        Published("0.291027924", t.LossAfter, "E_total after the update");
    }

    [Fact]
    public void The_lecture_example_leaves_its_biases_alone_but_reports_their_gradients()
    {
        var t = LectureExample.Run();
        foreach (var b in t.Parameters.Where(p => p.Role == ParameterRole.Bias))
        {
            Assert.Equal(0f, b.LearningRate);
            Assert.Equal(b.Value.ToArray(), b.Updated.ToArray());
            Assert.All(b.Update(), d => Assert.Equal(0f, d));
        }
        // ∂E/∂b of a unit is its δ.
        var bias = t.Layers[2].Parameters[1];
        Assert.Equal("2.bias", bias.Name);
        Assert.Equal(t.Layers[2].OutputGradient.ToArray(), bias.Gradient.ToArray());
        Assert.Equal(0.5f, t.Layers[2].Parameters[0].LearningRate);
    }

    private static Sequential SmallNet(Rng rng) =>
        new(new Dense(5, 7, rng), new Tanh(), new Dense(7, 6, rng), new ReLU(), new Dense(6, 3, rng));

    [Fact]
    public void Parameter_gradients_are_bit_for_bit_those_of_one_backward_pass_through_the_whole_model()
    {
        var rng = new Rng(3);
        var x = Tensor.Randn(new Shape(4, 5), rng);
        var y = Tensor.FromArray([0f, 2f, 1f, 2f], 4);
        var traced = SmallNet(new Rng(7));
        var plain = SmallNet(new Rng(7));

        var t = StepTrace.Record(traced, x, y, new CrossEntropyLoss(), new SGD(traced.Parameters(), 0.1f));
        var loss = new CrossEntropyLoss().Forward(plain.Forward(x), y);
        loss.Backward();

        Assert.Equal(loss.Item(), t.Loss);
        var expected = plain.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.Grad!.ToArray());
        Assert.Equal(expected.Keys.Order(), t.Parameters.Select(p => p.Name).Order());
        foreach (var p in t.Parameters) Assert.Equal(expected[p.Name], p.Gradient.ToArray());
    }

    [Fact]
    public void Each_layers_output_gradient_is_the_gradient_the_next_layer_receives()
    {
        var rng = new Rng(4);
        var x = Tensor.Randn(new Shape(3, 5), rng);
        var model = SmallNet(new Rng(8));
        var t = StepTrace.Record(model, x, Tensor.FromArray([1f, 0f, 2f], 3), new CrossEntropyLoss(), new SGD(model.Parameters(), 0.1f));

        // ∂E/∂(output of the tanh layer) checked against finite differences of E in that output.
        var h = t.Layers[1].Output.ToArray();
        var rest = new Sequential(model[2], model[3], model[4]);
        float E(float[] values)
        {
            using var _ = GradMode.NoGrad();
            return new CrossEntropyLoss().Forward(rest.Forward(Tensor.FromArray(values, 3, 7)), t.Target).Item();
        }
        // The model has been updated by the step; undo it for the check by loading the recorded values.
        foreach (var (p, i) in t.Layers.Skip(2).SelectMany(l => l.Parameters).Select((p, i) => (p, i)))
            p.Value.CopyTo(rest.Parameters().ElementAt(i).AsSpan());
        var g = t.Layers[1].OutputGradient.ToArray();
        for (int i = 0; i < h.Length; i++)
        {
            const float eps = 1e-2f;
            var plus = (float[])h.Clone();
            var minus = (float[])h.Clone();
            plus[i] += eps;
            minus[i] -= eps;
            double numeric = (E(plus) - E(minus)) / (2 * eps);
            Assert.True(Math.Abs(numeric - g[i]) < 2e-3, $"element {i}: backward {g[i]}, finite difference {numeric}");
        }
    }

    [Fact]
    public void The_step_is_the_optimizers_and_the_model_keeps_its_result()
    {
        var rng = new Rng(5);
        var x = Tensor.Randn(new Shape(2, 5), rng);
        var model = SmallNet(new Rng(9));
        var t = StepTrace.Record(model, x, Tensor.FromArray([2f, 1f], 2), new CrossEntropyLoss(), new SGD(model.Parameters(), 0.25f));

        var now = model.StateDict();
        foreach (var p in t.Parameters)
        {
            var (value, grad, updated) = (p.Value.ToArray(), p.Gradient.ToArray(), p.Updated.ToArray());
            for (int i = 0; i < value.Length; i++) Assert.Equal(value[i] - 0.25f * grad[i], updated[i]);
            Assert.Equal(updated, now[p.Name].ToArray());
        }
        using var _ = GradMode.NoGrad();
        Assert.Equal(new CrossEntropyLoss().Forward(model.Forward(x), t.Target).Item(), t.LossAfter);
    }

    [Fact]
    public void A_dense_layer_with_its_own_activation_shows_its_net_input_as_a_layer()
    {
        var rng = new Rng(6);
        var model = new Sequential(new Dense(4, "sigmoid"), new Dense(2)).Build(new Shape(1, 3), rng);
        var x = Tensor.Randn(new Shape(2, 3), rng);
        var t = StepTrace.Record(model, x, Tensor.Randn(new Shape(2, 2), rng), new MSELoss(), new SGD(model.Parameters(), 0.1f));

        Assert.Equal(new[] { "0", "0.activation", "1" }, t.Layers.Select(l => l.Name));
        Assert.Equal(new[] { true, false, true }, t.Layers.Select(l => l.IsAffine));
        Assert.Equal("Dense(3 → 4)", t.Layers[0].Description);
        // out = σ(net), and δ = ∂E/∂net = ∂E/∂out · σ'(net).
        var net = t.Layers[0].Output.ToArray();
        var outs = t.Layers[1].Output.ToArray();
        var dOut = t.Layers[1].OutputGradient.ToArray();
        var delta = t.Layers[0].OutputGradient.ToArray();
        for (int i = 0; i < net.Length; i++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-net[i])), outs[i], 6);
            Assert.Equal(dOut[i] * outs[i] * (1 - outs[i]), delta[i], 6);
        }
        Assert.Equal(new[] { "0.weight", "0.bias" }, t.Layers[0].Parameters.Select(p => p.Name));
        Assert.Empty(t.Layers[1].Parameters);
    }

    [Fact]
    public void The_half_squared_error_is_half_the_summed_squares_and_its_gradient_is_out_minus_target()
    {
        var p = Tensor.FromArray([0.5f, -1f, 2f], 1, 3).RequireGrad();
        var target = Tensor.FromArray([1f, 1f, 1f], 1, 3);
        var e = new HalfSquaredErrorLoss().Forward(p, target);
        Assert.Equal(0.5f * (0.25f + 4f + 1f), e.Item());
        e.Backward();
        Assert.Equal(new[] { -0.5f, -2f, 1f }, p.Grad!.ToArray());
        Assert.Throws<ShapeMismatchException>(() => new HalfSquaredErrorLoss().Forward(p, Tensor.Zeros(3)));
    }
}
