using System.Globalization;
using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.Nn;

/// <summary>
/// Compares ConvTranspose2d and Upsample (forward and every gradient) with numbers PyTorch 1.13 wrote:
/// <c>bench/peers/make_generative_fixtures.py</c> → <c>fixtures/conv_transpose.safetensors</c>, <c>fixtures/upsample.safetensors</c>.
/// </summary>
public class ConvTransposeUpsamplePyTorchTests
{
    private static SafetensorsContent Fixture(string name) =>
        Safetensors.Load(Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "Nn", "fixtures", name));

    private static readonly SafetensorsContent Conv = Fixture("conv_transpose.safetensors");
    private static readonly SafetensorsContent Up = Fixture("upsample.safetensors");

    private static void Close(Tensor expected, Tensor actual, float tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(MathF.Abs(e[i] - a[i]) <= tolerance * (1 + MathF.Abs(e[i])), $"{what} element {i}: PyTorch {e[i]}, Nabla {a[i]}");
    }

    public static TheoryData<int> ConvCases() => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void ConvTranspose2d_forward_and_gradients_match_pytorch(int k)
    {
        var p = Array.ConvertAll(Conv.Metadata[$"c{k}"].Split(','), s => int.Parse(s, CultureInfo.InvariantCulture));
        var layer = new ConvTranspose2d(p[0], p[1], (p[2], p[3]), new Rng(1), (p[4], p[5]), (p[6], p[7]), (p[8], p[9]),
            groups: p[12], bias: p[13] == 1, dilation: (p[10], p[11]));
        string pre = $"c{k}.";
        var state = new Dictionary<string, Tensor> { ["weight"] = Conv.Tensors[pre + "weight"] };
        if (layer.Bias is not null) state["bias"] = Conv.Tensors[pre + "bias"];
        layer.LoadStateDict(state);
        var x = Tensor.FromArray(Conv.Tensors[pre + "x"].ToArray(), Conv.Tensors[pre + "x"].Shape.ToArray()).RequireGrad();
        var y = layer.Forward(x);
        Close(Conv.Tensors[pre + "y"], y, 1e-5f, "output");
        y.Backward(Conv.Tensors[pre + "upstream"]);
        Close(Conv.Tensors[pre + "x_grad"], x.Grad!, 1e-5f, "input gradient");
        Close(Conv.Tensors[pre + "weight_grad"], layer.Weight.Grad!, 1e-5f, "weight gradient");
        if (layer.Bias is not null) Close(Conv.Tensors[pre + "bias_grad"], layer.Bias.Grad!, 1e-5f, "bias gradient");
    }

    [Fact]
    public void ConvTranspose2d_state_dict_names_and_shapes_are_pytorchs()
    {
        var layer = new ConvTranspose2d(6, 3, (3, 2), new Rng(1), groups: 3);
        var state = layer.StateDict();
        Assert.Equal(["weight", "bias"], state.Keys);
        Assert.Equal(new Shape(6, 1, 3, 2), state["weight"].Shape);
        Assert.Equal(new Shape(3), state["bias"].Shape);
        // PyTorch's default init: U(±1/√fan_in) with fan_in = (out/groups)·kH·kW = 6.
        float bound = 1f / MathF.Sqrt(6);
        Assert.All(layer.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.True(layer.Weight.ToArray().Max() > 0.8f * bound);
    }

    public static TheoryData<int> UpsampleCases() => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    [Theory]
    [MemberData(nameof(UpsampleCases))]
    public void Upsample_forward_and_gradient_match_pytorch(int k)
    {
        var m = Up.Metadata[$"u{k}"].Split(',');
        int sh = int.Parse(m[2], CultureInfo.InvariantCulture), sw = int.Parse(m[3], CultureInfo.InvariantCulture);
        double scale = double.Parse(m[4], CultureInfo.InvariantCulture);
        bool? align = m[0] == "bilinear" ? m[1] == "1" : null;
        var layer = sh > 0 ? new Upsample(size: (sh, sw), mode: m[0], alignCorners: align) : new Upsample(scaleFactor: scale, mode: m[0], alignCorners: align);
        string pre = $"u{k}.";
        var x = Tensor.FromArray(Up.Tensors[pre + "x"].ToArray(), Up.Tensors[pre + "x"].Shape.ToArray()).RequireGrad();
        var y = layer.Forward(x);
        Close(Up.Tensors[pre + "y"], y, 1e-6f, $"{layer.Describe()} output");
        y.Backward(Up.Tensors[pre + "upstream"]);
        Close(Up.Tensors[pre + "x_grad"], x.Grad!, 1e-5f, $"{layer.Describe()} input gradient");
    }
}
