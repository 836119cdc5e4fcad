using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Tests.Docs;

/// <summary>The README's "See inside training" examples, kept compiling and correct.</summary>
public class ReadmeSeeInsideTrainingTests
{
    [Fact]
    public void The_step_trace_example_reads_the_lectures_figures()
    {
        var model = LectureExample.Model();
        var trace = StepTrace.Record(model, LectureExample.Input(), LectureExample.Target(),
            new HalfSquaredErrorLoss(), LectureExample.Optimizer(model));
        float outO1 = trace.Layers[3].Output[0, 0];
        float deltaO1 = trace.Layers[2].OutputGradient[0, 0];
        float w5 = trace.Layers[2].Parameters[0].Updated[0, 0];

        Assert.Equal("0.7513651", outO1.ToString("G7", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.1384986", deltaO1.ToString("G7", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.3589165", w5.ToString("G7", System.Globalization.CultureInfo.InvariantCulture));
        // The step was applied to the model.
        Assert.Equal(w5, ((Dense)model[2]).Weight[0, 0]);
    }

    [Fact]
    public void The_diagnostics_example_runs_and_reads_the_first_layers_gradient_norm()
    {
        var rng = new Rng(0);
        var x = Tensor.Randn(new Shape(64, 4), rng);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 64).Select(i => (float)(i % 3))], 64);
        var model = new Sequential(new Dense(4, 16, rng), new ReLU(), new Dense(16, 3, rng));

        var diagnostics = new Diagnostics();
        model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 10, callbacks: [diagnostics]);
        foreach (var w in diagnostics.Warnings) Assert.False(string.IsNullOrEmpty(w.Message));
        double firstLayer = diagnostics.Parameters[0].GradientNorm[^1];

        Assert.Equal("0.weight", diagnostics.Parameters[0].Name);
        Assert.True(firstLayer > 0 && double.IsFinite(firstLayer));
        Assert.Equal(10, diagnostics.Parameters[0].GradientNorm.Count);
    }
}
