using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Rosenblatt's perceptron: one threshold unit y = H(w·x + b), H(z) = 1 if z &gt; 0 else 0, trained
/// one sample at a time by the perceptron rule w ← w + η(t − y)x, b ← b + η(t − y). It converges
/// exactly when the two classes are linearly separable (AND, OR) and never otherwise (XOR).
/// Parameters are registered as <c>weight</c> <c>[1, in]</c> and <c>bias</c> <c>[1]</c>, like
/// <c>Linear(in, 1)</c>, so they save and load like any module's; they start at zero.
/// </summary>
public sealed class Perceptron : Module
{
    private readonly Tensor _weight;
    private readonly Tensor _bias;

    /// <summary>A perceptron over <paramref name="inputFeatures"/> inputs with learning rate η.</summary>
    /// <param name="inputFeatures">Length of each input vector.</param>
    /// <param name="learningRate">η in the update rule.</param>
    public Perceptron(int inputFeatures, double learningRate = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), $"perceptron learning rate must be > 0, got {learningRate}");
        LearningRate = (float)learningRate;
        using (TensorScope.Suspend())
        {
            _weight = RegisterParameter("weight", Tensor.Owned(new Shape(1, inputFeatures)), ParameterRole.Weight);
            _bias = RegisterParameter("bias", Tensor.Owned(new Shape(1)), ParameterRole.Bias);
        }
    }

    /// <summary>η in the update rule.</summary>
    public float LearningRate { get; }

    /// <summary>Number of inputs.</summary>
    public int InputFeatures => _weight.Shape[1];

    /// <summary>The weights w, shape <c>[1, in]</c>.</summary>
    public Tensor Weight => _weight;

    /// <summary>The bias b, shape <c>[1]</c>.</summary>
    public Tensor Bias => _bias;

    /// <summary>
    /// Runs <paramref name="epochs"/> passes over the samples in order, updating after each
    /// misclassified one, and returns how many samples each epoch misclassified (the number of
    /// updates it made). An epoch with 0 errors leaves the weights unchanged.
    /// </summary>
    /// <param name="inputs">Samples, shape <c>[N, in]</c>.</param>
    /// <param name="targets">Labels 0 or 1, shape <c>[N]</c> or <c>[N, 1]</c>.</param>
    /// <param name="epochs">Number of passes.</param>
    /// <exception cref="ShapeMismatchException">The shapes do not fit.</exception>
    /// <exception cref="ArgumentException">A target is not 0 or 1.</exception>
    public int[] Fit(Tensor inputs, Tensor targets, int epochs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        CheckInputs(inputs);
        int n = inputs.Shape[0], d = InputFeatures;
        if (targets.Numel != n || targets.Rank is not (1 or 2))
            throw new ShapeMismatchException($"perceptron targets must be [{n}] or [{n}, 1] for inputs {inputs.Shape}, got {targets.Shape}");
        var x = inputs.Contiguous().ToArray();
        var t = targets.Contiguous().ToArray();
        foreach (var v in t)
            if (v is not (0f or 1f)) throw new ArgumentException($"perceptron targets must be 0 or 1, got {v}", nameof(targets));

        var w = _weight.AsSpan();
        var b = _bias.AsSpan();
        var errors = new int[epochs];
        for (int e = 0; e < epochs; e++)
        {
            for (int i = 0; i < n; i++)
            {
                var xi = x.AsSpan(i * d, d);
                float delta = t[i] - Output(w, b[0], xi);
                if (delta == 0) continue;
                errors[e]++;
                float step = LearningRate * delta;
                for (int j = 0; j < d; j++) w[j] += step * xi[j];
                b[0] += step;
            }
        }
        return errors;
    }

    /// <summary>H(x·wᵀ + b) for each row: 0/1 predictions of shape <c>[N]</c>.</summary>
    public Tensor Predict(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        CheckInputs(inputs);
        using (GradMode.NoGrad()) return Forward(inputs).Reshape(inputs.Shape[0]);
    }

    /// <summary>H(x·wᵀ + b), shape <c>[N, 1]</c> (no gradient flows through H).</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputs(input);
        return (input.MatMul(_weight.T()) + _bias).Step();
    }

    /// <summary><c>Perceptron(2)</c>.</summary>
    public override string Describe() => $"Perceptron({InputFeatures})";

    private static float Output(ReadOnlySpan<float> w, float b, ReadOnlySpan<float> x)
    {
        float z = b;
        for (int j = 0; j < x.Length; j++) z += w[j] * x[j];
        return z > 0 ? 1f : 0f;
    }

    private void CheckInputs(Tensor inputs)
    {
        if (inputs.Rank != 2 || inputs.Shape[1] != InputFeatures)
            throw new ShapeMismatchException($"{Describe()} expects inputs [N, {InputFeatures}], got {inputs.Shape}");
    }
}
