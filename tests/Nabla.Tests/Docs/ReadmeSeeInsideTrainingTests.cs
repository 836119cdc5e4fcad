using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Training;

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
}
