using Microsoft.ML.OnnxRuntime;
using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Onnx;

/// <summary>Runs exported models in ONNX Runtime and compares them with Nabla's own outputs.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>Every output of <paramref name="model"/> (ONNX bytes) for <paramref name="input"/>, by name, with its shape.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> Run(byte[] model, Tensor input)
    {
        // Default session options (all graph optimizations on), as a deployment would run the file.
        using var session = new InferenceSession(model);
        var dims = new long[input.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = input.Shape[i];
        using var value = OrtValue.CreateTensorValueFromMemory(input.ToArray(), dims);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["input"], [value], session.OutputNames);
        var result = new Dictionary<string, (float[], long[])>();
        for (int i = 0; i < outputs.Count; i++)
        {
            var info = outputs[i].GetTensorTypeAndShape();
            result[session.OutputNames[i]] = (outputs[i].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
        }
        return result;
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
