namespace Nabla.Optim;

/// <summary>
/// A rule over a whole parameter group, run once per step before any <see cref="UpdateRule"/>
/// of the chain, on the raw gradients: what cannot be done one parameter at a time, like
/// <c>clip_grad_norm_</c>'s total norm (<see cref="Rules.ClipGlobalNorm"/>). It must come first in a
/// chain, so the chain still reads in the order it runs.
/// </summary>
public abstract class GroupRule : Rule
{
    /// <summary>Runs on the group's parameters and their gradients (<see cref="Tensors.Tensor.Grad"/>, null ones skipped).</summary>
    /// <param name="group">The group being stepped.</param>
    public abstract void Apply(ParameterGroup group);
}
