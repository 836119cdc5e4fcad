namespace Nabla.Optim.Schedules;

/// <summary>
/// A learning-rate schedule given in closed form: ηₜ = <see cref="LearningRateAt"/>(t) from the
/// optimizer's learning rate η₀ when the schedule was created. Construction sets η₀'s epoch-0
/// value; each <see cref="Step"/> (call it once per epoch, or once per batch if you prefer finer
/// steps) advances t and writes ηₜ into <see cref="Optimizer.LearningRate"/>, like PyTorch's
/// <c>scheduler.step()</c>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>, taking its current rate as η₀.</summary>
    protected LearningRateSchedule(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>η₀, the learning rate when the schedule was created.</summary>
    public float BaseLearningRate { get; }

    /// <summary>t: the number of <see cref="Step"/> calls so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>ηₜ for epoch <paramref name="epoch"/> ≥ 0.</summary>
    public abstract float LearningRateAt(int epoch);

    /// <summary>Advances t by one and sets the optimizer's learning rate to ηₜ.</summary>
    public void Step()
    {
        Epoch++;
        Optimizer.LearningRate = LearningRateAt(Epoch);
    }

    /// <summary>Sets the optimizer's rate to the value for the current epoch; derived constructors call it last.</summary>
    protected void Apply() => Optimizer.LearningRate = LearningRateAt(Epoch);
}
