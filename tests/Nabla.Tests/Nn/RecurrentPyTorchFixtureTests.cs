using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.Nn;

/// <summary>
/// RNN, LSTM and GRU against fixtures PyTorch 1.13 wrote (bench/peers/make_rnn_fixtures.py, in
/// float64): parameters loaded by their state-dict names, packed variable-length batches with
/// initial states, and the outputs, final states and gradients of a scalar loss with respect to the
/// input, the initial states and every parameter.
/// </summary>
public class RecurrentPyTorchFixtureTests
{
    // |Nabla − PyTorch| ≤ 1e-5·(|PyTorch| + mean |PyTorch| of the tensor): 1e-5 relative, with the
    // tensor's typical magnitude as the floor for elements that cancel to near zero.
    private const double Relative = 1e-5;

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(FixtureDir(), "*.safetensors").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void Every_cell_layer_count_and_direction_has_a_fixture()
    {
        var names = Directory.EnumerateFiles(FixtureDir(), "*.safetensors").Select(Path.GetFileName).ToHashSet();
        foreach (var kind in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru" })
            foreach (var layers in new[] { 1, 2 })
                foreach (var dir in new[] { "uni", "bi" })
                    Assert.Contains($"{kind}_l{layers}_{dir}.safetensors", names);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Outputs_final_states_and_every_gradient_match_pytorch(string file)
    {
        var content = Safetensors.Load(Path.Combine(FixtureDir(), file));
        var t = content.Tensors;
        var meta = content.Metadata;
        string kind = meta["kind"];
        int layers = int.Parse(meta["layers"], System.Globalization.CultureInfo.InvariantCulture);
        bool bidirectional = meta["bidirectional"] == "True";
        bool packed = meta["packed"] == "True";
        int hidden = int.Parse(meta["hidden"], System.Globalization.CultureInfo.InvariantCulture);
        var x = t["x"];
        int features = x.Shape[2];
        var rng = new Rng(1);
        RNNBase module = kind switch
        {
            "lstm" => new LSTM(features, hidden, rng, numLayers: layers, bidirectional: bidirectional),
            "gru" => new GRU(features, hidden, rng, numLayers: layers, bidirectional: bidirectional),
            _ => new RNN(features, hidden, rng, kind["rnn_".Length..], numLayers: layers, bidirectional: bidirectional),
        };
        // Loading by PyTorch's names checks the state-dict keys and shapes exactly.
        module.LoadStateDict(t.Where(p => p.Key.StartsWith("param.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["param.".Length..], p => p.Value));

        x.RequiresGrad = true;
        var h0 = t["h0"].RequireGrad();
        var c0 = kind == "lstm" ? t["c0"].RequireGrad() : null;
        var result = module.Forward(x, new RecurrentState(h0, c0), packed ? t["lengths"] : null);
        var loss = (result.Output * t["loss_output_weight"]).Sum() + (result.State.H * t["loss_h_weight"]).Sum();
        if (c0 is not null) loss = loss + (result.State.C! * t["loss_c_weight"]).Sum();
        loss.Backward();

        Close(file, "output", t["output"], result.Output);
        Close(file, "h_n", t["h_n"], result.State.H);
        if (c0 is not null) Close(file, "c_n", t["c_n"], result.State.C!);
        Close(file, "loss", t["loss"], loss.Reshape(1));
        Close(file, "grad.x", t["grad.x"], x.Grad!);
        Close(file, "grad.h0", t["grad.h0"], h0.Grad!);
        if (c0 is not null) Close(file, "grad.c0", t["grad.c0"], c0.Grad!);
        int checkedParameters = 0;
        foreach (var (name, p) in module.NamedParameters())
        {
            Close(file, "grad." + name, t["grad." + name], p.Grad!);
            checkedParameters++;
        }
        Assert.Equal(layers * (bidirectional ? 2 : 1) * 4, checkedParameters);
    }

    private static void Close(string file, string what, Tensor expected, Tensor actual)
    {
        Assert.True(expected.Shape == actual.Shape, $"{file} {what}: shape {actual.Shape}, PyTorch {expected.Shape}");
        var e = expected.ToArray();
        var a = actual.ToArray();
        double floor = e.Average(v => Math.Abs((double)v));
        for (int i = 0; i < e.Length; i++)
        {
            double error = Math.Abs((double)a[i] - e[i]);
            Assert.True(error <= Relative * (Math.Abs(e[i]) + floor),
                $"{file} {what}[{i}]: Nabla {a[i]:G9}, PyTorch {e[i]:G9}, error {error:G3} > {Relative * (Math.Abs(e[i]) + floor):G3}");
        }
    }

    /// <summary>Written by bench/peers/make_rnn_fixtures.py.</summary>
    private static string FixtureDir() => Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "Nn", "fixtures", "rnn");
}
