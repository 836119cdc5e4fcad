namespace Nabla.Optim.Schedules;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches a metric that should go down or up.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,
    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}

/// <summary>
/// Cuts the learning rate when a metric stops improving, like
/// <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c> with relative threshold:
/// a value improves on the best when it is &lt; best·(1 − threshold) (min) or &gt; best·(1 + threshold) (max).
/// After more than <c>patience</c> epochs without improvement, each group's η ← max(η·factor, minLr), then
/// <c>cooldown</c> epochs pass in which bad epochs are not counted. Not a closed-form schedule, so
/// it is not a <see cref="LearningRateSchedule"/>; call <see cref="Step"/> once per epoch with the metric.
/// </summary>
public sealed class ReduceLROnPlateau
{
    private int _cooldownCounter;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">Optimizer whose learning rate is reduced.</param>
    /// <param name="mode">Whether lower or higher metrics are better.</param>
    /// <param name="factor">Multiplier in [0, 1) applied on a plateau.</param>
    /// <param name="patience">Epochs without improvement tolerated before reducing.</param>
    /// <param name="threshold">Relative improvement ≥ 0 needed to count as better.</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting bad epochs again.</param>
    /// <param name="minLr">Lower bound ≥ 0 of the learning rate.</param>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, int cooldown = 0, double minLr = 0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        Mode = mode;
        Factor = Hyperparameters.UnitInterval(factor, nameof(factor));
        Patience = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, $"patience must be ≥ 0, got {patience}");
        Threshold = Hyperparameters.NonNegative(threshold, nameof(threshold));
        Cooldown = cooldown >= 0 ? cooldown : throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, $"cooldown must be ≥ 0, got {cooldown}");
        MinLr = Hyperparameters.NonNegative(minLr, nameof(minLr));
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The optimizer whose learning rate is reduced.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Min or max.</summary>
    public PlateauMode Mode { get; }

    /// <summary>Reduction factor.</summary>
    public float Factor { get; }

    /// <summary>Tolerated epochs without improvement.</summary>
    public int Patience { get; }

    /// <summary>Relative improvement threshold.</summary>
    public float Threshold { get; }

    /// <summary>Epochs of cooldown after a reduction.</summary>
    public int Cooldown { get; }

    /// <summary>Lowest learning rate.</summary>
    public float MinLr { get; }

    /// <summary>The best metric seen so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement (reset by a reduction and during cooldown).</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Records one epoch's <paramref name="metric"/> and reduces the rate if it has plateaued.</summary>
    public void Step(double metric)
    {
        bool better = Mode == PlateauMode.Min ? metric < Best * (1 - Threshold) : metric > Best * (1 + Threshold);
        if (better)
        {
            Best = metric;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }

        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            BadEpochs = 0;
        }

        if (BadEpochs > Patience)
        {
            foreach (var group in Optimizer.ParamGroups)
            {
                float old = (float)group.LearningRate;
                float reduced = Math.Max(old * Factor, MinLr);
                // Like PyTorch, ignore reductions smaller than 1e-8 so the rate settles at minLr.
                if (old - reduced > 1e-8f) group.LearningRate = reduced;
            }
            _cooldownCounter = Cooldown;
            BadEpochs = 0;
        }
    }
}
