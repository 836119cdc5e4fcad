using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// One layer of a <see cref="StepTrace"/>: what it computed in the forward pass and the gradient
/// of the loss with respect to that output in the backward pass. A dense layer with a built-in
/// activation (<c>new Dense(4, "sigmoid")</c>) appears as two layers, the affine map and its
/// activation, so the net input z = x·Wᵀ + b and its δ = ∂E/∂z are visible as in a
/// <see cref="Sequential"/> whose activations are separate modules.
/// </summary>
public sealed class LayerTrace
{
    internal LayerTrace(int index, string name, Module module, bool isAffine, Tensor output, Tensor outputGradient, IReadOnlyList<ParameterTrace> parameters)
    {
        Index = index;
        Name = name;
        Module = module;
        IsAffine = isAffine;
        Output = output;
        OutputGradient = outputGradient;
        Parameters = parameters;
    }

    /// <summary>Position in <see cref="StepTrace.Layers"/>, from 0.</summary>
    public int Index { get; }

    /// <summary>The module's state-dict prefix: <c>0</c>, <c>1</c>, …, or <c>0.activation</c> for a dense layer's own activation.</summary>
    public string Name { get; }

    /// <summary>The module that computed this layer (for a split dense layer: the <see cref="Dense"/>, then its activation).</summary>
    public Module Module { get; }

    /// <summary>
    /// True for a dense (affine) layer, whose output is the net input z = x·Wᵀ + b of the units: its
    /// <see cref="OutputGradient"/> is then the units' δ = ∂E/∂z.
    /// </summary>
    public bool IsAffine { get; }

    /// <summary>A short description, e.g. <c>Dense(2 → 2)</c> or <c>Sigmoid</c>.</summary>
    public string Description => IsAffine && Module is Dense d ? $"Dense({d.InFeatures} → {d.OutFeatures})" : Module.Describe();

    /// <summary>The layer's output in the forward pass (net inputs for an affine layer, activations otherwise).</summary>
    public Tensor Output { get; }

    /// <summary>∂E/∂output from the backward pass; for an affine layer, δ = ∂E/∂z.</summary>
    public Tensor OutputGradient { get; }

    /// <summary>The layer's own parameters, in state-dict order (none for an activation).</summary>
    public IReadOnlyList<ParameterTrace> Parameters { get; }
}
