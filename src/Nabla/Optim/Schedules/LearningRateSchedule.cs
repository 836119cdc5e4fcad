namespace Nabla.Optim.Schedules;

/// <summary>
/// A learning-rate schedule given in closed form: ηₜ = <see cref="LearningRateAt(int, int)"/> from each
/// parameter group's rate η₀ when the schedule was created (PyTorch's <c>base_lrs</c>: every group
/// follows the schedule from its own starting rate, so a backbone at a tenth of the head's rate stays
/// at a tenth). Construction sets the epoch-0 values; each <see cref="Step"/> (call it once per epoch,
/// or once per batch if you prefer finer steps) advances t and writes every group's ηₜ, like
/// PyTorch's <c>scheduler.step()</c>.
/// </summary>
public abstract class LearningRateSchedule
{
    private readonly float[] _base;

    /// <summary>Attaches the schedule to <paramref name="optimizer"/>, taking each group's current rate as its η₀.</summary>
    protected LearningRateSchedule(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        _base = [.. optimizer.ParamGroups.Select(g => (float)g.LearningRate)];
    }

    /// <summary>The optimizer whose learning rates are set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>η₀ of the first group (the only one, usually).</summary>
    public float BaseLearningRate => _base[0];

    /// <summary>η₀ of every group, in the optimizer's group order.</summary>
    public IReadOnlyList<float> BaseLearningRates => _base;

    /// <summary>t: the number of <see cref="Step"/> calls so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>ηₜ of the first group for epoch <paramref name="epoch"/> ≥ 0.</summary>
    public float LearningRateAt(int epoch) => LearningRateAt(epoch, 0);

    /// <summary>ηₜ of group <paramref name="group"/> for epoch <paramref name="epoch"/> ≥ 0, from <c>BaseLearningRates[group]</c>.</summary>
    public abstract float LearningRateAt(int epoch, int group);

    /// <summary>Advances t by one and sets every group's learning rate to its ηₜ.</summary>
    public void Step()
    {
        Epoch++;
        Apply();
    }

    /// <summary>Sets every group's rate to its value for the current epoch; derived constructors call it last.</summary>
    protected void Apply()
    {
        var groups = Optimizer.ParamGroups;
        for (int g = 0; g < groups.Count; g++) groups[g].LearningRate = LearningRateAt(Epoch, g);
    }
}
