namespace Nabla.Optim;

/// <summary>
/// One link of an optimizer's chain. There are two kinds: an <see cref="UpdateRule"/> is a
/// transition applied to each parameter on its own, (state, direction, parameter) → (state,
/// direction); a <see cref="GroupRule"/> runs once over a whole parameter group before them
/// (e.g. clipping by the group's total gradient norm). A rule holds only validated
/// hyperparameters: per-parameter state belongs to the optimizer, so one rule object can serve
/// any number of parameters.
/// </summary>
public abstract class Rule
{
    private protected Rule() { }

    /// <summary>A short description with the hyperparameters, for messages.</summary>
    public override string ToString() => GetType().Name;
}
