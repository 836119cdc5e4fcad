using Nabla.Nn;
using Nabla.Onnx;
using Nabla.Tensors;
using static Nabla.Tests.Onnx.OnnxRuntimeRunner;

namespace Nabla.Tests.Onnx;

/// <summary>A <see cref="FunctionalModel"/> exports what its <c>Forward</c> computes: the main output's steps, in ONNX Runtime within 1e-5.</summary>
public sealed class OnnxFunctionalExportTests
{
    [Fact]
    public void A_functional_model_with_a_shared_module_and_an_auxiliary_head_exports_its_main_output()
    {
        var rng = new Rng(1);
        var input = FunctionalModel.Input(5);
        var shared = new Dense(8, 8, rng);
        var h = new Tanh().Apply(shared.Apply(new ReLU().Apply(new Dense(5, 8, rng).Apply(input))));
        var aux = new Dense(8, 3, rng).Apply(h, "aux");
        var main = new Dense(8, 4, rng).Apply(new BatchNorm1d(8).Apply(shared.Apply(h)), "head");
        var model = new FunctionalModel([input], [main, aux]);
        var x = Tensor.Randn(new Shape(3, 5), new Rng(2));
        var bytes = OnnxExport.ToBytes(model, new Shape(1, 5));
        var outputs = Run(bytes, x);
        AssertClose(Forward(model, x), outputs[OnnxExport.OutputName]);
        Assert.Equal(4, outputs[OnnxExport.OutputName].Shape[^1]);
    }

    [Fact]
    public void A_functional_model_with_two_inputs_is_refused_with_one_line()
    {
        var a = FunctionalModel.Input(2);
        var b = FunctionalModel.Input(2);
        var dense = new Dense(2, 2, new Rng(3));
        var model = new FunctionalModel([a, b], [dense.Apply(a), dense.Apply(b)]);
        var e = Assert.Throws<OnnxExportException>(() => OnnxExport.ToBytes(model, new Shape(1, 2)));
        Assert.Contains("has 2 inputs", e.Message, StringComparison.Ordinal);
    }
}
