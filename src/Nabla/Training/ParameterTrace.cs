using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// One parameter in a <see cref="StepTrace"/>: its value before the step, the gradient ∂E/∂p the
/// backward pass gave it, and its value after the optimizer step. The tensors are copies, so they
/// keep these values whatever happens to the model later.
/// </summary>
public sealed class ParameterTrace
{
    internal ParameterTrace(string name, ParameterRole role, Tensor value, Tensor gradient, Tensor updated, float learningRate)
    {
        Name = name;
        Role = role;
        Value = value;
        Gradient = gradient;
        Updated = updated;
        LearningRate = learningRate;
    }

    /// <summary>The dotted state-dict name, e.g. <c>2.weight</c>.</summary>
    public string Name { get; }

    /// <summary>What the parameter is for (weight, bias, …).</summary>
    public ParameterRole Role { get; }

    /// <summary>p before the step (a weight is <c>[out, in]</c>, as in the model).</summary>
    public Tensor Value { get; }

    /// <summary>∂E/∂p: the gradient of the loss with respect to the parameter.</summary>
    public Tensor Gradient { get; }

    /// <summary>p⁺: the value after the optimizer's step (for plain gradient descent, p − η·∂E/∂p).</summary>
    public Tensor Updated { get; }

    /// <summary>η of the parameter's group in the optimizer (0 for a parameter the step leaves alone).</summary>
    public float LearningRate { get; }

    /// <summary>Δp = p⁺ − p, elementwise, as a new array (row-major).</summary>
    public float[] Update()
    {
        var before = Value.ToArray();
        var after = Updated.ToArray();
        for (int i = 0; i < after.Length; i++) after[i] -= before[i];
        return after;
    }
}
