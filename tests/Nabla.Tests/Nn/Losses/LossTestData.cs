using Nabla.Tensors;

namespace Nabla.Tests.Nn.Losses;

/// <summary>The fixed inputs shared with reference/make_loss_reference.py, and comparison helpers.</summary>
internal static class LossTestData
{
    public static readonly float[,] Logits = { { 1.5f, -0.3f, 0.2f, 2.0f }, { -1.0f, 0.5f, 0.0f, 0.3f }, { 0.7f, 0.7f, -2.0f, 1.1f } };
    public static readonly float[] Indices = [3, 0, 2];
    public static readonly float[] ClassWeights = [0.5f, 1.0f, 2.0f, 1.5f];
    public static readonly float[,] Probabilities = { { 0.1f, 0.2f, 0.3f, 0.4f }, { 0.7f, 0.1f, 0.1f, 0.1f }, { 0.25f, 0.25f, 0.25f, 0.25f } };

    public static readonly float[,] BceProbabilities = { { 0.9f, 0.2f, 0.6f }, { 0.35f, 0.05f, 0.75f } };
    public static readonly float[,] BceLogits = { { 2.0f, -1.5f, 0.3f }, { -0.7f, 3.0f, -4.0f } };
    public static readonly float[,] HardTargets = { { 1f, 0f, 1f }, { 0f, 0f, 1f } };
    public static readonly float[,] SoftTargets = { { 0.8f, 0.1f, 0.6f }, { 0.3f, 0.0f, 0.9f } };
    public static readonly float[] PosWeight = [1.5f, 0.5f, 2.0f];

    public static Tensor Leaf(float[,] values)
    {
        var t = Tensor.FromArray(values);
        t.RequiresGrad = true;
        return t;
    }

    public static Tensor Of(float[] values) => Tensor.FromArray((float[])values.Clone(), values.Length);

    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-5)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {a[i]}");
    }

    /// <summary>Reduces per-element double losses like <see cref="Nabla.Nn.Losses.Reduction"/>.</summary>
    public static double[] Reduce(double[] perElement, Nabla.Nn.Losses.Reduction reduction) => reduction switch
    {
        Nabla.Nn.Losses.Reduction.Mean => [perElement.Average()],
        Nabla.Nn.Losses.Reduction.Sum => [perElement.Sum()],
        _ => perElement,
    };

    /// <summary>log softmax of row r of <see cref="Logits"/> in double.</summary>
    public static double[] LogSoftmaxRow(float[,] logits, int r)
    {
        int c = logits.GetLength(1);
        double m = double.NegativeInfinity;
        for (int j = 0; j < c; j++) m = Math.Max(m, logits[r, j]);
        double s = 0;
        for (int j = 0; j < c; j++) s += Math.Exp(logits[r, j] - m);
        var result = new double[c];
        for (int j = 0; j < c; j++) result[j] = logits[r, j] - m - Math.Log(s);
        return result;
    }
}
