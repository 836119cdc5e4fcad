namespace Nabla.Optim;

/// <summary>
/// A small update rule, the unit optimizers are composed of (as Optimisers.jl's rules and optax's
/// transformations): a transition over spans of one parameter,
/// <code>(state, d, p) → (state′, d′)</code>
/// where the direction d starts as the gradient g and, after the last rule, the optimizer takes
/// the step <c>p ← p − η·d</c> with the group's learning rate η. Rules compose into a chain run
/// in order: <c>ClipNorm → WeightDecay → AdamRule</c> clips g, adds λ·p, then applies Adam.
/// </summary>
/// <remarks>
/// <para>A rule reads <see cref="ParameterStep.Direction"/>, writes a new one into
/// <see cref="ParameterStep.NewDirection"/> (a scratch buffer that never aliases the current
/// direction) or points it at a state buffer with <see cref="ParameterStep.SetDirection"/>, and
/// keeps per-parameter state in the tensors named by <see cref="StateNames"/> (created by the
/// optimizer, shaped like the parameter, saved in its state dict as <c>"{i}.{name}"</c>). It
/// must not change the gradient itself.</para>
/// <para>A rule that is <see cref="IsElementwise"/> sees an arbitrary contiguous range of the
/// parameter (large updates are split across threads); one that is not sees the whole parameter.
/// A rule that <see cref="AppliesStep"/> writes p itself in one fused pass (Adam) and must be last.</para>
/// </remarks>
public abstract class UpdateRule : Rule
{
    /// <summary>Names of the per-parameter state tensors (PyTorch's, e.g. <c>exp_avg</c>); empty for a stateless rule.</summary>
    public virtual IReadOnlyList<string> StateNames => [];

    /// <summary>The value state <paramref name="index"/> starts at when created (0 unless overridden).</summary>
    public virtual float InitialState(int index) => 0f;

    /// <summary>
    /// True when element k of the result depends only on element k of the inputs, so the
    /// parameter may be split into ranges (a norm over the whole parameter is not).
    /// </summary>
    public virtual bool IsElementwise => true;

    /// <summary>True when the rule applies the step to the parameter itself instead of leaving a direction; it must be the chain's last rule.</summary>
    public virtual bool AppliesStep => false;

    /// <summary>
    /// True when rows that a row-sparse gradient does not list (<see cref="Tensors.Tensor.TryGetGradRows"/>:
    /// an embedding's weight, whose other rows have an exactly zero gradient) may be left untouched,
    /// with their state: because the rule maps a zero gradient to a zero direction without changing its
    /// state (SGD, Adagrad, clipping by value, weight decay with λ = 0), or because skipping them is the
    /// rule's definition ("lazy" updates, <c>torch.optim.SparseAdam</c>). When every rule of the chain
    /// says so, the optimizer updates only the listed rows of such a parameter.
    /// </summary>
    /// <param name="weightDecay">The group's λ.</param>
    public virtual bool LeavesUnlistedRows(float weightDecay) => false;

    /// <summary>True when the rule reads the group's weight decay λ (<see cref="ParameterStep.WeightDecay"/>).</summary>
    public virtual bool UsesWeightDecay => false;

    /// <summary>Applies the rule to one parameter (or one range of it) for this step.</summary>
    public abstract void Apply(ref ParameterStep step);
}
