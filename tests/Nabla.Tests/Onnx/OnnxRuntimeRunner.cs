using Microsoft.ML.OnnxRuntime;
using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Onnx;
using Nabla.Tensors;

namespace Nabla.Tests.Onnx;

/// <summary>Runs exported models in ONNX Runtime and compares them with Nabla's own outputs.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>Every output of <paramref name="model"/> (ONNX bytes) for <paramref name="input"/>, by name, with its shape.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> Run(byte[] model, Tensor input) => Run(model, ("input", input));

    /// <summary>Every output of <paramref name="model"/> for the named <paramref name="inputs"/> (a graph with several inputs).</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> Run(byte[] model, params (string Name, Tensor Value)[] inputs)
    {
        // Default session options (all graph optimizations on), as a deployment would run the file.
        using var session = new InferenceSession(model);
        var values = new OrtValue[inputs.Length];
        for (int j = 0; j < inputs.Length; j++)
        {
            var t = inputs[j].Value;
            var dims = new long[t.Rank];
            for (int i = 0; i < dims.Length; i++) dims[i] = t.Shape[i];
            values[j] = OrtValue.CreateTensorValueFromMemory(t.ToArray(), dims);
        }
        using var run = new RunOptions();
        using var outputs = session.Run(run, inputs.Select(i => i.Name).ToArray(), values, session.OutputNames);
        foreach (var v in values) v.Dispose();
        var result = new Dictionary<string, (float[], long[])>();
        for (int i = 0; i < outputs.Count; i++)
        {
            var info = outputs[i].GetTensorTypeAndShape();
            result[session.OutputNames[i]] = (outputs[i].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
        }
        return result;
    }

    /// <summary>
    /// Exports <paramref name="model"/> for inputs shaped like <paramref name="x"/> (batch axis symbolic),
    /// runs it in ONNX Runtime on <paramref name="x"/> and asserts Nabla's output within <paramref name="tolerance"/>.
    /// </summary>
    public static void AssertExportMatches(Module model, Tensor x, float tolerance = 1e-5f)
    {
        var sample = new Shape([1, .. x.Shape.ToArray()[1..]]);
        AssertClose(Forward(model, x), Run(OnnxExport.ToBytes(model, sample), x)[OnnxExport.OutputName], tolerance);
    }

    /// <summary><paramref name="model"/>'s evaluation-mode output for <paramref name="x"/>.</summary>
    public static Tensor Forward(Module model, Tensor x)
    {
        model.Eval();
        using (GradMode.NoGrad())
        using (TensorScope.Suspend())
            return model.Forward(x).Contiguous();
    }

    /// <summary>Asserts equal shapes and |a − b| ≤ 1e-5 everywhere (the tolerance), naming the worst element.</summary>
    public static void AssertClose(Tensor expected, (float[] Values, long[] Shape) actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Shape.ToArray().Select(d => (long)d).ToArray(), actual.Shape);
        var e = expected.ToArray();
        int worst = 0;
        float worstDiff = 0;
        for (int i = 0; i < e.Length; i++)
        {
            float d = MathF.Abs(e[i] - actual.Values[i]);
            if (!(d <= worstDiff)) { worst = i; worstDiff = d; }
        }
        Assert.True(worstDiff <= tolerance, $"element {worst}: Nabla {e[worst]}, ONNX Runtime {actual.Values[worst]} (|Δ| = {worstDiff})");
    }
}
